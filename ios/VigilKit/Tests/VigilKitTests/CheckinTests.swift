import Foundation
import VigilCore
import XCTest

@testable import VigilKit

/// The check-in screen and the escalation driver, against the real core.
final class CheckinTests: XCTestCase {
  private func start(
    _ f: Fixture, _ session: Session, buddy: Buddy, booking: Booking,
    scheduler: RecordingScheduler, composer: HeldComposer
  ) throws -> (CheckinViewModel, CheckinStatus) {
    let driver = EscalationDriver(
      scheduler: scheduler, composer: composer, now: { [clock = f.clock] in clock.now })
    let vm = CheckinViewModel(
      session: session, driver: driver, now: { [clock = f.clock] in clock.now })
    vm.form.deadline = f.clock.at(minutes: 60)
    vm.form.buddyIds = [buddy.id]
    vm.form.bookingId = booking.id
    let status = try XCTUnwrap(vm.start(), "\(String(describing: vm.state.message))")
    return (vm, status)
  }

  func testStartSchedulesTimeSensitiveNotificationsAtTheCoresWakeups() throws {
    let f = try Fixture(self)
    let (session, buddy, booking) = try f.withBuddyAndBooking()
    let scheduler = RecordingScheduler()
    let composer = HeldComposer()
    let (vm, status) = try start(
      f, session, buddy: buddy, booking: booking, scheduler: scheduler, composer: composer)

    // The core's schedule: reminder 5 min before the deadline, escalation after 10 min grace.
    let next = try XCTUnwrap(session.nextWakeup())
    XCTAssertEqual(next, f.clock.at(minutes: 55))
    XCTAssertEqual(scheduler.wakeTimes, [next, status.deadline, status.escalatesAt])
    XCTAssertEqual(status.escalatesAt, f.clock.at(minutes: 70))
    XCTAssertTrue(scheduler.pending.values.allSatisfy { $0.timeSensitive })
    XCTAssertTrue(vm.state.showsBuddyHeldAdvice, "iPhone: a buddy-held deadline is advised")
    XCTAssertEqual(vm.state.checkins.map(\.id), [status.id])

    // At every wake-up the earliest pending notification is the core's next wake-up,
    // until a buddy has to be alerted.
    var wakes = 0
    while composer.presented.isEmpty {
      wakes += 1
      XCTAssertLessThan(wakes, 10, "the escalation never came")
      f.clock.now = try XCTUnwrap(session.nextWakeup())
      vm.wake()
      XCTAssertNil(vm.state.message)
      if let coreNext = try session.nextWakeup() {
        XCTAssertEqual(scheduler.wakeTimes.first, max(coreNext, f.clock.now))
      }
      XCTAssertTrue(scheduler.wakeTimes.allSatisfy { $0 >= f.clock.now })
    }
    XCTAssertEqual(f.clock.now, status.escalatesAt)
    // The reminder and the overdue notice reached her as notifications with the core's text.
    let notices = scheduler.history.filter { $0.kind == .notice }
    XCTAssertGreaterThanOrEqual(notices.count, 2)
    XCTAssertTrue(notices.allSatisfy { !$0.bodyIsKey && !$0.body.isEmpty })
  }

  /// Past the deadline with the vault locked: the background runner's escalation asks for
  /// the composer with Ana's number and the booking's address, and reports nothing until
  /// the composer closes; cancelled is `Failed`, sent is `Sent`.
  func testLockedEscalationCarriesTheBuddysNumberAndPlaceAndReportsOnlyTheComposersResult()
    throws
  {
    let f = try Fixture(self)
    let (session, buddy, booking) = try f.withBuddyAndBooking()
    let scheduler = RecordingScheduler()
    let composer = HeldComposer()
    _ = try start(
      f, session, buddy: buddy, booking: booking, scheduler: scheduler, composer: composer)
    session.lock()

    let runner = try f.vault.backgroundRunner(deviceSecret: XCTUnwrap(f.secrets.secret))
    let source = RecordingSource(runner)
    let driver = EscalationDriver(
      scheduler: scheduler, composer: composer, now: { [clock = f.clock] in clock.now })
    f.clock.now = f.clock.at(minutes: 71)
    try driver.wake(source)

    let request = try XCTUnwrap(composer.presented.first)
    XCTAssertEqual(composer.presented.count, 1)
    XCTAssertEqual(request.via, .sms)
    XCTAssertEqual(request.recipients, ["+447400123456"])
    XCTAssertEqual(request.buddyName, "Ana")
    XCTAssertTrue(request.body.contains("12 Example Street"), request.body)
    // The notification that brings her to the composer names nobody (lock screen).
    let escalation = try XCTUnwrap(
      scheduler.pending.values.first { $0.kind == .escalation(actionId: request.actionId) })
    XCTAssertTrue(escalation.bodyIsKey && escalation.timeSensitive)
    XCTAssertEqual(escalation.fireAt, f.clock.now)

    // Never before the composer closes: no outcome for it, nobody counted as alerted.
    let reportedFor = { (key: String) in source.reported.filter { $0.0.key == key }.map(\.1) }
    XCTAssertEqual(reportedFor(request.actionId), [])
    XCTAssertEqual(try runner.list().checkins.first?.buddiesAlerted, 0)
    // A tick while it is open (the core's 2-minute timeout re-issues the id) shows no second
    // composer for the same message.
    f.clock.advance(minutes: 3)
    try driver.wake(source)
    XCTAssertEqual(composer.presented.filter { $0.actionId == request.actionId }.count, 1)
    XCTAssertEqual(reportedFor(request.actionId), [])

    // Cancelled: Failed, and still not alerted.
    composer.answer(request.actionId, .cancelled)
    guard case .failed = try XCTUnwrap(reportedFor(request.actionId).last) else {
      return XCTFail("a cancelled composer must be reported as Failed")
    }
    XCTAssertEqual(try runner.list().checkins.first?.buddiesAlerted, 0)
    XCTAssertNil(scheduler.pending["\(EscalationDriver.escalationPrefix)\(request.actionId)"])

    // The core asks again (same id, as docs/bindings.md says); sent: Sent, Ana alerted.
    f.clock.now = max(try XCTUnwrap(runner.nextWakeup()), f.clock.now)
    try driver.wake(source)
    let again = try XCTUnwrap(composer.presented.last)
    XCTAssertEqual(composer.presented.count, 2)
    XCTAssertEqual(again.recipients, ["+447400123456"])
    let before = reportedFor(again.actionId).count
    composer.answer(again.actionId, .sent)
    XCTAssertEqual(reportedFor(again.actionId).count, before + 1)
    XCTAssertEqual(reportedFor(again.actionId).last, .sent)
    XCTAssertEqual(try runner.list().checkins.first?.buddiesAlerted, 1)
    XCTAssertNil(driver.lastError)
  }

  /// The app makes a runner for one wake and lets it go; the outcome the composer gives
  /// later must still reach the core.
  func testOutcomeReachesTheCoreAfterTheRunnerOfThatWakeIsGone() throws {
    let f = try Fixture(self)
    let (session, buddy, booking) = try f.withBuddyAndBooking()
    let scheduler = RecordingScheduler()
    let composer = HeldComposer()
    _ = try start(
      f, session, buddy: buddy, booking: booking, scheduler: scheduler, composer: composer)
    session.lock()
    let secret = try XCTUnwrap(f.secrets.secret)
    let driver = EscalationDriver(
      scheduler: scheduler, composer: composer, now: { [clock = f.clock] in clock.now })
    f.clock.now = f.clock.at(minutes: 71)
    try driver.wake(f.vault.backgroundRunner(deviceSecret: secret))
    let request = try XCTUnwrap(composer.presented.first)
    composer.answer(request.actionId, .sent)
    XCTAssertNil(driver.lastError)
    let runner = try f.vault.backgroundRunner(deviceSecret: secret)
    XCTAssertEqual(try runner.list().checkins.first?.buddiesAlerted, 1)
  }

  /// The duress code checks in like the normal code: same receipt time, same screen state,
  /// nothing shown (iOS cannot send the silent alert: it is reported failed, invisibly).
  func testDuressCodeLeavesTheSameScreenStateAsTheNormalCode() throws {
    func checkedIn(with code: String) throws -> (
      CheckinViewModel.State, CheckinViewModel.Form, RecordingScheduler, HeldComposer
    ) {
      let f = try Fixture(self)
      let (session, buddy, booking) = try f.withBuddyAndBooking()
      let scheduler = RecordingScheduler()
      let composer = HeldComposer()
      let (vm, _) = try start(
        f, session, buddy: buddy, booking: booking, scheduler: scheduler, composer: composer)
      f.clock.now = f.clock.at(minutes: 30)
      vm.form.code = code
      vm.checkIn()
      return (vm.state, vm.form, scheduler, composer)
    }
    let normal = try checkedIn(with: "4321")
    let duress = try checkedIn(with: "9876")
    XCTAssertEqual(normal.0, duress.0)
    // The forms differ only by the ids of each vault's own buddy and booking.
    var duressForm = duress.1
    duressForm.buddyIds = normal.1.buddyIds
    duressForm.bookingId = normal.1.bookingId
    XCTAssertEqual(normal.1, duressForm)
    XCTAssertEqual(normal.1.code, "")
    XCTAssertEqual(normal.0.lastCheckIn, t0.addingTimeInterval(30 * 60))
    XCTAssertEqual(normal.0.checkins, [])
    XCTAssertNil(normal.0.message)
    XCTAssertEqual(normal.2.pending, duress.2.pending)
    XCTAssertEqual(duress.3.presented, [])
  }

  func testCountdownFollowsTheCoresTimes() {
    let row = CheckinRow(
      id: "x", phase: .armed, deadline: t0.addingTimeInterval(3600),
      escalatesAt: t0.addingTimeInterval(4200), buddiesAlerted: 0, acknowledged: false)
    let start = Countdown(row: row, now: t0)
    XCTAssertEqual(start.stage, .beforeDeadline)
    XCTAssertEqual(start.text, "1:00:00")
    XCTAssertEqual(Countdown(row: row, now: t0.addingTimeInterval(3599.2)).text, "0:01")
    let grace = Countdown(row: row, now: t0.addingTimeInterval(3600))
    XCTAssertEqual(grace.stage, .grace)
    XCTAssertEqual(grace.text, "10:00")
    XCTAssertEqual(Countdown(row: row, now: t0.addingTimeInterval(4200)).stage, .escalating)
    XCTAssertEqual(Countdown(row: row, now: t0.addingTimeInterval(9999)).remaining, 0)
  }

  func testWakeTimesKeepEachTimeOnceAndNothingWithoutAListedCheckin() {
    let row = CheckinRow(
      id: "c", phase: .armed, deadline: t0.addingTimeInterval(600),
      escalatesAt: t0.addingTimeInterval(1200), buddiesAlerted: 0, acknowledged: false)
    let wakes = Schedule.wakeTimes(nextWakeup: row.deadline, checkins: [row], now: t0)
    XCTAssertEqual(wakes.map(\.at), [row.deadline, row.escalatesAt])
    // Overdue: at once, never in the past.
    let late = Schedule.wakeTimes(
      nextWakeup: t0, checkins: [row], now: t0.addingTimeInterval(900))
    XCTAssertEqual(late.map(\.at), [t0.addingTimeInterval(900), row.escalatesAt])
    // After a duress check-in nothing is listed: no visible wake-up.
    XCTAssertEqual(Schedule.wakeTimes(nextWakeup: t0, checkins: [], now: t0), [])
  }

  /// A watch's alarm time on the same instant as another time (a check-in's deadline, the
  /// core's next wake-up): one notification there, and it is the alarm, siren and words.
  func testAWatchAlarmWinsItsInstantOverAnyOtherTime() {
    let alarmAt = t0.addingTimeInterval(15 * 60)
    let row = CheckinRow(
      id: "c", phase: .armed, deadline: alarmAt, escalatesAt: t0.addingTimeInterval(25 * 60),
      buddiesAlerted: 0, acknowledged: false)
    let watch = WatchRow(id: "w", deadline: t0.addingTimeInterval(5 * 60), alarmDue: alarmAt)
    for checkins in [[row], []] {
      let wakes = Schedule.wakeTimes(
        nextWakeup: alarmAt, checkins: checkins, watches: [watch], now: t0)
      let there = wakes.filter { $0.at == alarmAt }
      XCTAssertEqual(there.count, 1)
      XCTAssertEqual(there.first?.id, "watch.w.alarm")
      XCTAssertEqual(there.first?.alarm, true)
      XCTAssertEqual(there.first?.bodyKey, "watch_alarm_due_body")
    }
  }
}
