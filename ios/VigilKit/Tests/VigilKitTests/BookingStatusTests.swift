import Foundation
import VigilCore
import XCTest

@testable import VigilKit

/// The bookings screen's status and history, against the real core.
final class BookingStatusTests: XCTestCase {
  /// A booking that is over with no status waits for her word (the core's rule); one tap
  /// settles it and keeps everything else; the check-ins armed for it are listed with it.
  func testPastBookingWaitsForAStatusAndShowsItsCheckins() throws {
    let f = try Fixture(self)
    let (session, buddy, booking) = try f.withBuddyAndBooking()
    let vm = BookingsViewModel(session: session, now: { [clock = f.clock] in clock.now })
    XCTAssertEqual(vm.state.awaitingOutcome, [], "not over yet")
    XCTAssertEqual(vm.state.history, [])

    _ = try session.startCheckin(
      input: CheckinInput(
        deadline: f.clock.at(minutes: 60), buddyIds: [buddy.id], bookingId: booking.id,
        reminderMinutes: nil, graceMinutes: nil, repeatMinutes: nil, discreetNotice: nil,
        ladder: []),
      now: f.clock.now)
    f.clock.now = f.clock.at(minutes: 50)
    _ = try session.checkIn(code: "4321", now: f.clock.now)

    f.clock.now = f.clock.at(minutes: 120)
    vm.reload()
    XCTAssertEqual(vm.state.awaitingOutcome, [booking.id], "past, no status")
    let ended = try XCTUnwrap(vm.checkins(for: booking.id).first)
    XCTAssertEqual(vm.state.history.count, 1)
    XCTAssertTrue(ended.checkedIn)
    XCTAssertFalse(ended.escalated)
    XCTAssertEqual(ended.endedAt, f.clock.at(minutes: 50))
    XCTAssertEqual(vm.checkins(for: "another booking"), [])

    XCTAssertEqual(BookingsViewModel.outcomes, [.done, .cancelled, .noShow])
    vm.setStatus(booking.id, .noShow)
    XCTAssertNil(vm.state.message)
    XCTAssertEqual(vm.state.awaitingOutcome, [])
    let stored = try XCTUnwrap(vm.state.bookings.first { $0.id == booking.id })
    XCTAssertEqual(stored.details.status, .noShow)
    XCTAssertEqual(stored.details.address, "12 Example Street")
    XCTAssertEqual(stored.details.clientLabel, booking.details.clientLabel)
  }
}
