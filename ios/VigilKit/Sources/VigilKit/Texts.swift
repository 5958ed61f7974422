import Foundation
import VigilCore

// The words the screens show for the core's values (status names, phases, ...), in the
// phone's language through `L10n`: kept here, not in the SwiftUI files, so the tests read
// them in every language.

extension BookingStatus {
  /// The string key of the status name.
  public var key: String {
    switch self {
    case .planned: return "booking_status_planned"
    case .inProgress: return "booking_status_in_progress"
    case .done: return "booking_status_done"
    case .cancelled: return "booking_status_cancelled"
    case .noShow: return "booking_status_no_show"
    case .incident: return "booking_status_incident"
    }
  }

  /// The status name (Done, Cancelled, No-show, ...): the name Android's list shows, with a
  /// capital as a picker's title (one table for both shells).
  public var title: String {
    let name = L10n.text(key)
    return name.prefix(1).uppercased() + name.dropFirst()
  }

  /// Every status, in the order the form's picker lists them.
  public static let all: [BookingStatus] = [
    .planned, .inProgress, .done, .cancelled, .noShow, .incident,
  ]
}

extension BookingsViewModel {
  /// What the list shows under a booking: "past, no status" while it is over with no
  /// outcome (waiting for her word, never shown as done), else its status name.
  public func statusText(_ booking: Booking) -> String {
    state.awaitingOutcome.contains(booking.id)
      ? L10n.text("booking_past_no_status") : booking.details.status.title
  }

  /// One line of the check-in history: when it ended and how (the duress code shows as a
  /// check-in, like the normal one).
  public func historyText(_ ended: EndedCheckin) -> [String] {
    let when = Self.dateText(ended.endedAt)
    var lines = [L10n.format(ended.checkedIn ? "history_checked_in" : "history_cancelled", when)]
    if ended.escalated {
      lines.append(L10n.format("history_escalated", when, Int(ended.buddiesAlerted)))
    }
    return lines
  }

  /// How many check-ins a booking had.
  public func checkinsText(for bookingId: String) -> String? {
    let count = checkins(for: bookingId).count
    return count == 0 ? nil : L10n.format("booking_checkins", count)
  }

  static func dateText(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = L10n.locale
    formatter.dateStyle = .medium
    formatter.timeStyle = .short
    return formatter.string(from: date)
  }
}

extension Countdown.Stage {
  /// The countdown's heading.
  public var title: String {
    switch self {
    case .beforeDeadline: return L10n.text("countdown_title")
    case .grace: return L10n.text("grace_title")
    case .escalating: return L10n.text("escalating_title")
    }
  }
}

extension WatchPhase {
  /// Where a watch held for a paired worker stands (the buddy's screen).
  public var title: String {
    switch self {
    case .watching: return L10n.text("watch_phase_watching")
    case .overdue: return L10n.text("watch_phase_overdue")
    case .alarm: return L10n.text("watch_phase_alarm")
    case .safe: return L10n.text("watch_phase_safe")
    }
  }
}

extension WatchRefusal {
  /// The key of why a pasted message was refused (the same words Android uses).
  public var reasonKey: String {
    switch self {
    case .notAWatchMessage: return "refusal_not_vigil"
    case .malformed: return "refusal_damaged"
    case .truncated: return "refusal_cut_off"
    case .newerVersion: return "refusal_newer"
    case .wrongRecipient: return "refusal_wrong_phone"
    case .unknownSender: return "refusal_not_paired"
    case .forged: return "refusal_forged"
    case .replayed: return "refusal_replayed"
    case .outOfOrder: return "refusal_out_of_order"
    }
  }

  /// Why it was refused, in the phone's language.
  public var reasonText: String { L10n.text(reasonKey) }
}

extension BuddyWatchStatus {
  /// Whether this buddy's phone has the worker's check-in.
  public var stateText: String {
    L10n.text(
      confirmed ? "watch_phone_has_it" : sent ? "watch_not_confirmed" : "watch_not_sent_yet")
  }
}

extension OpenState {
  public var title: String {
    switch self {
    case .open: return L10n.text("open_now")
    case .closed: return L10n.text("closed_now")
    default: return L10n.text("maybe_open")
    }
  }
}

extension MatchSource {
  /// Whose word a screening match is: her note or a publisher's alert.
  public var title: String {
    switch self {
    case .note(_, let label): return L10n.format("your_note", label)
    case .alert(let publisher, _): return L10n.format("reported_by", publisher)
    }
  }
}

extension CamouflageViewModel {
  /// The name of an alternate icon (nil: Vigil's own).
  public static func title(_ icon: String?) -> String {
    switch icon {
    case "Calculator": return L10n.text("icon_calculator")
    case "Notes": return L10n.text("icon_notes")
    case "Weather": return L10n.text("icon_weather")
    default: return L10n.text("icon_vigil")
    }
  }
}
