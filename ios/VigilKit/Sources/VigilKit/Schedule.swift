import Foundation
import VigilCore

/// Time arithmetic for the screens and the notifications: no check-in rule (the core gives
/// every time), only which of its times are still ahead and how to show a countdown.
public enum Schedule {
  public struct Wake: Equatable, Sendable {
    /// Stable per time's role, so a reschedule replaces rather than duplicates.
    public let id: String
    public let at: Date
  }

  /// The notifications to hold: the core's next wake-up, then each check-in's deadline and
  /// escalation time that lie after `now`, each time once, earliest first.
  /// None while no check-in is listed: a wake-up then serves only a duress alert, which
  /// must leave no trace (the app relies on `BGAppRefreshTask` for it).
  public static func wakeTimes(nextWakeup: Date?, checkins: [CheckinRow], now: Date) -> [Wake] {
    guard !checkins.isEmpty else { return [] }
    var wakes: [Wake] = []
    if let next = nextWakeup {
      // Due now or overdue: still wake at once rather than never.
      wakes.append(Wake(id: "next", at: max(next, now)))
    }
    for row in checkins {
      for (role, at) in [("deadline", row.deadline), ("escalation", row.escalatesAt)]
      where at > now && !wakes.contains(where: { $0.at == at }) {
        wakes.append(Wake(id: "\(row.id).\(role)", at: at))
      }
    }
    return wakes.sorted { ($0.at, $0.id) < ($1.at, $1.id) }
  }
}

/// A check-in's countdown at one instant.
public struct Countdown: Equatable, Sendable {
  public enum Stage: Equatable, Sendable {
    /// Before the deadline: `remaining` runs to it.
    case beforeDeadline
    /// Past the deadline, buddies not yet alerted: `remaining` runs to escalation.
    case grace
    /// Buddies are being alerted (the core's phase): only the code ends it.
    case escalating
  }

  public let stage: Stage
  /// Whole seconds left in this stage (0 once it is over).
  public let remaining: Int

  public init(row: CheckinRow, now: Date) {
    if row.phase == .escalating || now >= row.escalatesAt {
      stage = .escalating
      remaining = 0
    } else if now < row.deadline {
      stage = .beforeDeadline
      remaining = Self.seconds(from: now, to: row.deadline)
    } else {
      stage = .grace
      remaining = Self.seconds(from: now, to: row.escalatesAt)
    }
  }

  /// Rounded up, so "0:00" never shows while time is left.
  private static func seconds(from: Date, to: Date) -> Int {
    max(0, Int((to.timeIntervalSince(from)).rounded(.up)))
  }

  /// `h:mm:ss` from an hour up, `m:ss` below.
  public var text: String {
    let hours = remaining / 3600
    let minutes = remaining % 3600 / 60
    let seconds = remaining % 60
    let ss = seconds < 10 ? "0\(seconds)" : "\(seconds)"
    if hours > 0 {
      let mm = minutes < 10 ? "0\(minutes)" : "\(minutes)"
      return "\(hours):\(mm):\(ss)"
    }
    return "\(minutes):\(ss)"
  }
}
