import Foundation
import VigilCore

/// The check-in screen: start one, watch its countdown, check in with the code (or the
/// duress code: same answer, same state), extend or cancel. Works on the unlocked session
/// or, from the lock screen, on the locked runner (`session` nil: start, extend and cancel
/// need the unlocked vault).
public final class CheckinViewModel: ViewModel {
  public struct Form: Equatable, Sendable {
    public var deadline: Date
    /// Empty: every buddy (the core's default).
    public var buddyIds: [String] = []
    public var bookingId: String?
    /// Minutes as typed; empty: the core's default.
    public var reminderMinutes = ""
    public var graceMinutes = ""
    public var repeatMinutes = ""
    public var extendMinutes = ""
    public var code = ""
    public init(deadline: Date) { self.deadline = deadline }
  }

  public struct State: Equatable, Sendable {
    public var checkins: [CheckinRow] = []
    /// Stored check-ins that could not be read: say so, never show an all-clear.
    public var unreadable = 0
    public var lastCheckIn: Date?
    public var message: FieldMessage?
    /// iOS cannot send an SMS by itself: shown when a check-in starts.
    public var showsBuddyHeldAdvice = false
  }

  public private(set) var state = State() {
    didSet { if state != oldValue { onChange?() } }
  }
  public var form: Form {
    didSet { if form != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?

  private let source: EscalationSource
  private let session: Session?
  public let driver: EscalationDriver
  private let now: () -> Date

  public init(
    session: Session, driver: EscalationDriver, now: @escaping () -> Date = Date.init
  ) {
    self.source = session
    self.session = session
    self.driver = driver
    self.now = now
    form = Form(deadline: now().addingTimeInterval(3600))
    reload()
  }

  /// The lock-screen variant: check in and escalate with the device secret only.
  public init(
    runner: BackgroundRunner, driver: EscalationDriver, now: @escaping () -> Date = Date.init
  ) {
    self.source = runner
    self.session = nil
    self.driver = driver
    self.now = now
    form = Form(deadline: now().addingTimeInterval(3600))
    reload()
  }

  public func reload() {
    do {
      let listed = try source.rows()
      state.checkins = listed.rows
      state.unreadable = listed.unreadable
    } catch {
      state.message = FieldMessage.from(error)
    }
  }

  /// Each live check-in's countdown at `now`.
  public func countdowns() -> [(row: CheckinRow, countdown: Countdown)] {
    let at = now()
    return state.checkins.map { ($0, Countdown(row: $0, now: at)) }
  }

  @discardableResult
  public func start() -> CheckinStatus? {
    guard let session else {
      state.message = FieldMessage(field: nil, message: .key("checkin_unlock_first"))
      return nil
    }
    do {
      let input = CheckinInput(
        deadline: form.deadline, buddyIds: form.buddyIds, bookingId: form.bookingId,
        reminderMinutes: try Field.optionalInt(form.reminderMinutes, field: "reminder"),
        graceMinutes: try Field.optionalInt(form.graceMinutes, field: "grace"),
        repeatMinutes: try Field.optionalInt(form.repeatMinutes, field: "repeat"),
        discreetNotice: nil, ladder: [])
      let status = try session.startCheckin(input: input, now: now())
      // A paired buddy's phone is asked to hold the deadline (WATCH): its composer now.
      try driver.wake(source)
      state.message = nil
      state.showsBuddyHeldAdvice = true
      reload()
      return status
    } catch {
      state.message = FieldMessage.from(error)
      return nil
    }
  }

  /// On an alarm, a tap on a notification, or coming to the foreground.
  public func wake() {
    do {
      try driver.wake(source)
      state.message = driver.lastError.map { FieldMessage(field: nil, message: $0) }
    } catch {
      state.message = FieldMessage.from(error)
    }
    reload()
  }

  /// The code or the duress code: the same receipt, the same screen after.
  public func checkIn() {
    do {
      let receipt = try source.checkIn(code: form.code, now: now())
      form.code = ""
      state.lastCheckIn = receipt.at
      state.message = nil
      state.showsBuddyHeldAdvice = false
      // A duress check-in queues its silent alert for the next tick, and either code a
      // SAFE to paired buddies' phones (DURESS-SAFE looks the same): run them now.
      try driver.wake(source)
    } catch {
      state.message = FieldMessage.from(error)
    }
    reload()
  }

  public func extend(_ id: String) {
    guard let session else { return }
    do {
      let minutes = try Field.optionalInt(form.extendMinutes, field: "extend") ?? 0
      _ = try session.extendCheckin(id: id, minutes: minutes, now: now())
      form.extendMinutes = ""
      state.message = nil
      // EXTEND to paired buddies' phones.
      try driver.wake(source)
    } catch {
      state.message = FieldMessage.from(error)
    }
    reload()
  }

  public func cancel(_ id: String) {
    guard let session else { return }
    do {
      try session.cancelCheckin(id: id, now: now())
      state.message = nil
      // SAFE to paired buddies' phones.
      try driver.wake(source)
    } catch {
      state.message = FieldMessage.from(error)
    }
    reload()
  }
}
