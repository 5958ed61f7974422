import Foundation
import VigilCore

/// Time arithmetic for the screens and the notifications: no check-in rule (the core gives
/// every time), only which of its times are still ahead and how to show a countdown.
public enum Schedule {
  public struct Wake: Equatable, Sendable {
    /// Stable per time's role, so a reschedule replaces rather than duplicates.
    public let id: String
    public let at: Date
    /// The notification's words (string keys): nothing personal, it shows on the lock
    /// screen.
    public let titleKey: String
    public let bodyKey: String
    /// A held watch's alarm time: rings with the alarm sound (the app may not be running
    /// to raise the alarm itself).
    public let alarm: Bool

    public init(id: String, at: Date, titleKey: String, bodyKey: String, alarm: Bool = false) {
      self.id = id
      self.at = at
      self.titleKey = titleKey
      self.bodyKey = bodyKey
      self.alarm = alarm
    }
  }

  /// The notifications to hold: each check-in's deadline and escalation time and each held
  /// watch's deadline and alarm time that lie after `now`, then the core's next wake-up
  /// (which covers both) unless it is one of those already; each time once (a watch's alarm
  /// time over any other at the same instant), earliest first.
  /// None while no check-in and no watch is listed: a wake-up then serves only a duress
  /// alert or a message to a paired phone that a normal check-in sends too, which must
  /// leave no trace (the app relies on `BGAppRefreshTask` for it).
  public static func wakeTimes(
    nextWakeup: Date?, checkins: [CheckinRow], watches: [WatchRow] = [], now: Date
  ) -> [Wake] {
    guard !checkins.isEmpty || !watches.isEmpty else { return [] }
    var wakes: [Wake] = []
    // One notification per instant; a held watch's alarm wins its instant (siren, alarm
    // words) over any other time there, or the alarm would ring as a plain reminder.
    func add(_ id: String, _ at: Date, _ titleKey: String, _ bodyKey: String, alarm: Bool = false) {
      let wake = Wake(id: id, at: at, titleKey: titleKey, bodyKey: bodyKey, alarm: alarm)
      if let k = wakes.firstIndex(where: { $0.at == at }) {
        if alarm && !wakes[k].alarm { wakes[k] = wake }
      } else {
        wakes.append(wake)
      }
    }
    for row in checkins {
      for (role, at) in [("deadline", row.deadline), ("escalation", row.escalatesAt)]
      where at > now {
        add("\(row.id).\(role)", at, "countdown_title", "checkin_wake_body")
      }
    }
    for row in watches {
      if let deadline = row.deadline, deadline > now {
        add("watch.\(row.id).deadline", deadline, "watch_title", "watch_wake_body")
      }
      if let alarm = row.alarmDue, alarm > now {
        add("watch.\(row.id).alarm", alarm, "watch_title", "watch_alarm_due_body", alarm: true)
      }
    }
    if let next = nextWakeup {
      // Due now or overdue: still wake at once rather than never.
      let (title, body) =
        checkins.isEmpty
        ? ("watch_title", "watch_wake_body") : ("countdown_title", "checkin_wake_body")
      add("next", max(next, now), title, body)
    }
    return wakes.sorted { ($0.at, $0.id) < ($1.at, $1.id) }
  }
}

/// A watch this phone holds for a paired worker, as the wake-ups need it: its deadline and
/// the time the alarm is due (the core's, from `heldWatches`).
public struct WatchRow: Equatable, Sendable {
  public let id: String
  public let deadline: Date?
  public let alarmDue: Date?

  public init(id: String, deadline: Date?, alarmDue: Date?) {
    self.id = id
    self.deadline = deadline
    self.alarmDue = alarmDue
  }

  /// The held watches still to be woken for (a finished one, safe or acknowledged, needs
  /// none; an alarm already raised has its next steps in `nextWakeup`).
  public static func from(_ held: [HeldWatch]) -> [WatchRow] {
    held.filter { $0.phase == .watching || $0.phase == .overdue }.map {
      WatchRow(id: $0.id, deadline: $0.terms?.deadline, alarmDue: $0.alarmDue)
    }
  }

  /// The same from the times alone (`heldWatchTimes`, which a decoy session gives for the
  /// phone's real watches too).
  public static func from(times held: [HeldWatchTimes]) -> [WatchRow] {
    held.filter { $0.phase == .watching || $0.phase == .overdue }.map {
      WatchRow(id: $0.watchId, deadline: $0.deadline, alarmDue: $0.alarmDue)
    }
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
