import Foundation
import VigilCore
import XCTest

@testable import VigilKit

final class SecurityTests: XCTestCase {
  /// The duress passphrase opens the decoy through the same screen and leaves exactly the
  /// state the real passphrase leaves, on the unlock screen and the screens after it.
  func testDuressPassphraseLeavesTheSameScreenStateAsTheNormalOne() throws {
    let f = try Fixture(self)
    let (session, buddy, _) = try f.withBuddyAndBooking()
    try session.setDuress(
      current: passphrase, duress: duressPassphrase, destroyReal: false, alertBuddies: true,
      buddyIds: [buddy.id], now: t0)
    session.lock()

    func unlocked(with typed: String) throws -> (
      UnlockViewModel.State, UnlockViewModel.Form, CheckinViewModel.State, RecordingScheduler,
      HeldComposer
    ) {
      let unlock = UnlockViewModel(
        vault: f.vault, secrets: f.secrets, kdfIterations: fastKdf, now: { t0 })
      XCTAssertEqual(unlock.state.stage, .unlock)
      unlock.form.passphrase = typed
      let opened = try XCTUnwrap(unlock.submit(), "\(String(describing: unlock.state.message))")
      let scheduler = RecordingScheduler()
      let composer = HeldComposer()
      let driver = EscalationDriver(scheduler: scheduler, composer: composer, now: { t0 })
      let checkin = CheckinViewModel(session: opened, driver: driver, now: { t0 })
      // The app ticks on unlock: the duress unlock's silent alert leaves no trace.
      checkin.wake()
      let result = (unlock.state, unlock.form, checkin.state, scheduler, composer)
      opened.lock()
      return result
    }
    let normal = try unlocked(with: passphrase)
    let duress = try unlocked(with: duressPassphrase)
    XCTAssertEqual(normal.0, UnlockViewModel.State(stage: .unlocked, message: nil))
    XCTAssertEqual(normal.0, duress.0)
    XCTAssertEqual(normal.1, duress.1)
    XCTAssertEqual(normal.1, UnlockViewModel.Form(), "the passphrase is not kept")
    XCTAssertEqual(normal.2, duress.2)
    XCTAssertEqual(normal.3.history, duress.3.history)
    XCTAssertEqual(duress.4.presented, [])
  }

  func testPanicWipeDeletesTheKeychainSecretTheVaultAndPendingNotifications() throws {
    let f = try Fixture(self)
    let (session, _, _) = try f.withBuddyAndBooking()
    let scheduler = RecordingScheduler()
    scheduler.schedule(
      NotificationRequest(
        id: "vigil.wake.next", fireAt: t0.addingTimeInterval(600), kind: .wake,
        titleKey: "countdown_title", body: "checkin_wake_body", bodyIsKey: true,
        timeSensitive: true))
    let wipe = PanicWipeViewModel(
      vault: f.vault, session: session, secrets: f.secrets, scheduler: scheduler,
      now: { [clock = f.clock] in clock.now })
    var wiped = false
    wipe.onWiped = { wiped = true }

    wipe.start(windowSeconds: 10)
    XCTAssertEqual(wipe.state.stage, .counting(dueAt: t0.addingTimeInterval(10)))
    XCTAssertEqual(wipe.secondsLeft, 10)
    f.clock.now = t0.addingTimeInterval(9)
    wipe.poll()
    XCTAssertEqual(wipe.secondsLeft, 1)
    XCTAssertTrue(try f.vault.exists(), "nothing is touched inside the window")
    XCTAssertNotNil(f.secrets.secret)

    f.clock.now = t0.addingTimeInterval(10)
    wipe.poll()
    XCTAssertEqual(wipe.state, PanicWipeViewModel.State(stage: .wiped, message: nil))
    XCTAssertTrue(wiped)
    XCTAssertNil(f.secrets.secret)
    XCTAssertEqual(f.secrets.deletions, 1)
    XCTAssertFalse(try f.vault.exists())
    XCTAssertEqual(scheduler.pending, [:])
    XCTAssertTrue(session.isLocked())
    // The next start shows the create screen.
    let unlock = UnlockViewModel(vault: f.vault, secrets: f.secrets, kdfIterations: fastKdf)
    XCTAssertEqual(unlock.state.stage, .create)
  }

  func testCancelledWipeChangesNothing() throws {
    let f = try Fixture(self)
    let (session, _, booking) = try f.withBuddyAndBooking()
    let secret = f.secrets.secret
    let scheduler = RecordingScheduler()
    let wipe = PanicWipeViewModel(
      vault: f.vault, session: session, secrets: f.secrets, scheduler: scheduler,
      now: { [clock = f.clock] in clock.now })
    wipe.start(windowSeconds: 10)
    f.clock.now = t0.addingTimeInterval(5)
    wipe.cancel()
    XCTAssertEqual(wipe.state.stage, .cancelled)
    f.clock.now = t0.addingTimeInterval(60)
    wipe.poll()
    XCTAssertEqual(wipe.state.stage, .cancelled)
    XCTAssertEqual(f.secrets.secret, secret)
    XCTAssertEqual(f.secrets.deletions, 0)
    XCTAssertTrue(try f.vault.exists())
    XCTAssertFalse(session.isLocked())
    XCTAssertEqual(try session.getBooking(id: booking.id), booking)
    session.lock()
    let again = try f.vault.unlock(passphrase: passphrase, deviceSecret: XCTUnwrap(secret), now: t0)
    XCTAssertEqual(try again.listBookings(from: nil, to: nil).bookings, [booking])
  }

  /// The unlock limit reached: the core wipes the vault, the unlock screen deletes the
  /// Keychain secret too (what makes it final on flash) and offers to create a new vault.
  func testUnlockLimitReachedDeletesTheKeychainSecret() throws {
    let f = try Fixture(self)
    let session = try f.created()
    let limit = UnlockLimitViewModel(session: session)
    limit.attempts = "2"
    limit.save()
    XCTAssertEqual(limit.state.limit, 2)
    session.lock()

    let unlock = UnlockViewModel(vault: f.vault, secrets: f.secrets, kdfIterations: fastKdf)
    unlock.form.passphrase = "wrong horse battery"
    XCTAssertNil(unlock.submit())
    XCTAssertEqual(unlock.state.stage, .unlock)
    XCTAssertNotNil(f.secrets.secret)
    XCTAssertNil(unlock.submit())
    XCTAssertEqual(unlock.state.stage, .create)
    guard case .core(let kind, _, _)? = unlock.state.message else {
      return XCTFail("the core's message")
    }
    XCTAssertEqual(kind, "Wiped")
    XCTAssertNil(f.secrets.secret)
    XCTAssertEqual(f.secrets.deletions, 1)
    XCTAssertFalse(try f.vault.exists())
  }

  func testCamouflageIconFollowsTheSystem() {
    let icons = FakeIconSetter()
    let vm = CamouflageViewModel(setter: icons)
    XCTAssertNil(vm.state.current)
    vm.choose("Calculator")
    XCTAssertEqual(vm.state, CamouflageViewModel.State(current: "Calculator", message: nil))
    icons.fails = true
    vm.choose("Notes")
    XCTAssertEqual(
      vm.state, CamouflageViewModel.State(current: "Calculator", message: .key("camouflage_failed"))
    )
  }

  func testCallDirectoryEntriesKeepTheCoresAscendingOrder() throws {
    let f = try Fixture(self)
    let session = try f.created()
    for (number, label) in [("07700 900461", "Dave"), ("07700 900123", "Sam")] {
      _ = try session.addNote(
        input: NoteInput(identifiers: [number], label: label, risk: .danger, text: "x"), now: t0)
    }
    let entries = CallDirectoryHandOver.entries(try session.callLabels())
    XCTAssertEqual(entries.map(\.number), [447_700_900_123, 447_700_900_461])
    XCTAssertEqual(entries.map(\.label), ["⛔ Sam", "⛔ Dave"])
    XCTAssertEqual(
      try CallDirectoryHandOver.decode(CallDirectoryHandOver.encode(entries)), entries)
  }
}
