import Foundation
import VigilCore
import XCTest

@testable import VigilKit

/// After every kind of wipe nothing the app kept outside the vault is left: the Keychain
/// secret, notifications with personal text, the escalation driver's in-memory requests,
/// the app's UserDefaults domain, the files and folders it names, read byte for byte for
/// what the worker typed. What only iOS can do (the Call Directory store, the background
/// task, the composer's queue, the app-switcher snapshots) is Apple-only and not run here:
/// it comes in as `platformSteps`, and these tests check that every path runs them.
final class WipeCleanupTests: XCTestCase {
  /// What must not be found anywhere once wiped.
  private let secrets = ["Ana", "+447400123456", "07400 123456", "Example Street"]

  /// The app's other places, in the fixture's folder: a defaults suite (its own domain),
  /// a temporary export, a caches folder.
  private struct Places {
    let suite: String
    let defaults: UserDefaults
    let export: URL
    let caches: URL
    let cleanup: WipeCleanup
  }

  private func places(
    _ f: Fixture, scheduler: RecordingScheduler, driver: EscalationDriver?
  ) throws -> (Places, () -> Int) {
    let suite = "app.vigil.tests.\(UUID().uuidString)"
    let defaults = try XCTUnwrap(UserDefaults(suiteName: suite))
    addTeardownBlock { UserDefaults.standard.removePersistentDomain(forName: suite) }
    let export = f.dir.appendingPathComponent("vigil-backup.age")
    let caches = f.dir.appendingPathComponent("Caches")
    try FileManager.default.createDirectory(at: caches, withIntermediateDirectories: true)
    let cleanup = WipeCleanup(
      vault: f.vault, secrets: f.secrets, scheduler: scheduler, defaults: defaults,
      defaultsDomain: suite, files: [export], folders: [caches],
      marker: f.dir.appendingPathComponent("wipe-pending"))
    cleanup.driver = driver
    var runs = 0
    cleanup.platformSteps = [{ runs += 1 }]
    return (
      Places(suite: suite, defaults: defaults, export: export, caches: caches, cleanup: cleanup),
      { runs }
    )
  }

  /// What a worker's phone holds outside the vault after a check-in escalated: a composer
  /// open for Ana, notifications, and (as the app or a framework might write them) a
  /// default, an export left behind, a cached file.
  private func useThePhone(
    _ f: Fixture, _ p: Places, scheduler: RecordingScheduler, composer: HeldComposer,
    driver: EscalationDriver
  ) throws -> Session {
    let (session, buddy, booking) = try f.withBuddyAndBooking()
    let checkin = CheckinViewModel(
      session: session, driver: driver, now: { [clock = f.clock] in clock.now })
    checkin.form.deadline = f.clock.at(minutes: 60)
    checkin.form.buddyIds = [buddy.id]
    checkin.form.bookingId = booking.id
    XCTAssertNotNil(checkin.start())
    f.clock.now = f.clock.at(minutes: 71)
    try driver.wake(session)
    XCTAssertEqual(composer.presented.first?.recipients, ["+447400123456"])
    XCTAssertFalse(driver.inFlight.isEmpty)
    XCTAssertFalse(scheduler.pending.isEmpty)
    p.defaults.set("Ana +447400123456", forKey: "last-buddy")
    _ = p.defaults.synchronize()
    try Data("Ana 07400 123456".utf8).write(to: p.export)
    try Data("12 Example Street".utf8).write(to: p.caches.appendingPathComponent("c.bin"))
    try holdAWatch(f, session, driver: driver)
    return session
  }

  /// Mia's phone (a second vault) pairs with this one and starts a check-in watched by it;
  /// the watch is pasted here and its deadline passes: the driver holds a reminder alert
  /// naming Mia.
  private func holdAWatch(_ f: Fixture, _ session: Session, driver: EscalationDriver) throws {
    let wf = try Fixture(self)
    let (worker, buddy, _) = try wf.withBuddyAndBooking()
    let clock = f.clock
    let mine = PairingViewModel(session: worker, now: { clock.now })
    let hers = PairingViewModel(session: session, now: { clock.now })
    mine.form.ownName = "Mia"
    mine.showOwnCode()
    hers.form.ownName = "Ana"
    hers.showOwnCode()
    mine.form.code = try XCTUnwrap(hers.state.ownCode)
    hers.form.code = try XCTUnwrap(mine.state.ownCode)
    let onMine = try XCTUnwrap(mine.preview())
    let onHers = try XCTUnwrap(hers.preview())
    mine.choose(buddy: buddy)
    mine.form.sas = onHers.sas
    XCTAssertNotNil(mine.save())
    hers.form.sas = onMine.sas
    hers.form.phone = "07700 900123"
    XCTAssertNotNil(hers.save())
    let composer = HeldComposer()
    let workerDriver = EscalationDriver(
      scheduler: RecordingScheduler(), composer: composer, now: { clock.now })
    let checkin = CheckinViewModel(session: worker, driver: workerDriver, now: { clock.now })
    checkin.form.deadline = clock.now.addingTimeInterval(3600)
    checkin.form.buddyIds = [buddy.id]
    XCTAssertNotNil(checkin.start())
    let watch = try XCTUnwrap(composer.presented.last)
    _ = try session.receiveWatch(text: watch.body, now: clock.now)
    clock.now = clock.now.addingTimeInterval(3600)
    try driver.wake(session)
    XCTAssertFalse(driver.watchAlerts.isEmpty, "a watch alert held")
  }

  private func assertNothingLeft(
    _ f: Fixture, _ p: Places, scheduler: RecordingScheduler, driver: EscalationDriver,
    platformRuns: Int, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    XCTAssertFalse(try f.vault.exists(), file: file, line: line)
    XCTAssertNil(f.secrets.secret, "Keychain secret", file: file, line: line)
    XCTAssertEqual(scheduler.pending.count, 0, "notifications", file: file, line: line)
    XCTAssertTrue(driver.inFlight.isEmpty, "open composers", file: file, line: line)
    XCTAssertTrue(driver.watchAlerts.isEmpty, "watch alerts", file: file, line: line)
    XCTAssertFalse(
      FileManager.default.fileExists(atPath: f.dir.appendingPathComponent("wipe-pending").path),
      "the marker", file: file, line: line)
    XCTAssertNil(p.defaults.object(forKey: "last-buddy"), file: file, line: line)
    XCTAssertNil(
      UserDefaults(suiteName: p.suite)?.object(forKey: "last-buddy"), "a fresh reader",
      file: file, line: line)
    XCTAssertFalse(FileManager.default.fileExists(atPath: p.export.path), file: file, line: line)
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: p.caches.path), [], file: file,
      line: line)
    XCTAssertEqual(platformRuns, 1, "the Apple-only steps ran once", file: file, line: line)
    // Byte for byte: whatever is left in the fixture's folder holds none of it.
    let walker = try XCTUnwrap(
      FileManager.default.enumerator(at: f.dir, includingPropertiesForKeys: nil))
    for case let url as URL in walker {
      guard let bytes = try? Data(contentsOf: url) else { continue }
      for s in secrets {
        XCTAssertNil(
          bytes.range(of: Data(s.utf8)), "'\(s)' left in \(url.lastPathComponent)", file: file,
          line: line)
      }
    }
  }

  func testTheUnlockLimitErasesEveryTraceOutsideTheVault() throws {
    let f = try Fixture(self)
    let scheduler = RecordingScheduler()
    let composer = HeldComposer()
    let driver = EscalationDriver(
      scheduler: scheduler, composer: composer, now: { [clock = f.clock] in clock.now })
    let (p, runs) = try places(f, scheduler: scheduler, driver: driver)
    let session = try useThePhone(f, p, scheduler: scheduler, composer: composer, driver: driver)
    try session.setUnlockLimit(attempts: 2)
    session.lock()

    let unlock = UnlockViewModel(
      vault: f.vault, secrets: f.secrets, kdfIterations: fastKdf, cleanup: p.cleanup)
    var told = 0
    unlock.onWiped = { told += 1 }
    for wrong in ["wrong horse battery", "wrong horse again"] {
      unlock.form.passphrase = wrong
      XCTAssertNil(unlock.submit())
    }
    XCTAssertEqual(unlock.state.stage, .create)
    XCTAssertEqual(told, 1)
    try assertNothingLeft(f, p, scheduler: scheduler, driver: driver, platformRuns: runs())
  }

  func testThePanicWipeErasesEveryTraceOutsideTheVault() throws {
    let f = try Fixture(self)
    let scheduler = RecordingScheduler()
    let composer = HeldComposer()
    let driver = EscalationDriver(
      scheduler: scheduler, composer: composer, now: { [clock = f.clock] in clock.now })
    let (p, runs) = try places(f, scheduler: scheduler, driver: driver)
    let session = try useThePhone(f, p, scheduler: scheduler, composer: composer, driver: driver)

    let wipe = PanicWipeViewModel(
      vault: f.vault, session: session, secrets: f.secrets, scheduler: scheduler,
      cleanup: p.cleanup, now: { [clock = f.clock] in clock.now })
    wipe.start(windowSeconds: 10)
    f.clock.now = f.clock.now.addingTimeInterval(10)
    wipe.poll()
    XCTAssertEqual(wipe.state, PanicWipeViewModel.State(stage: .wiped, message: nil))
    try assertNothingLeft(f, p, scheduler: scheduler, driver: driver, platformRuns: runs())
  }

  /// The core wiped the vault but the app was killed before its clean-up: the next start
  /// finishes it; a start with the vault there touches nothing.
  func testAStartWithTheVaultGoneFinishesTheWipe() throws {
    let f = try Fixture(self)
    let scheduler = RecordingScheduler()
    let composer = HeldComposer()
    let driver = EscalationDriver(
      scheduler: scheduler, composer: composer, now: { [clock = f.clock] in clock.now })
    let (p, runs) = try places(f, scheduler: scheduler, driver: driver)
    _ = try useThePhone(f, p, scheduler: scheduler, composer: composer, driver: driver)

    XCTAssertFalse(p.cleanup.finishInterruptedWipe(), "the vault is there")
    XCTAssertNotNil(f.secrets.secret)
    XCTAssertFalse(scheduler.pending.isEmpty)
    XCTAssertTrue(FileManager.default.fileExists(atPath: p.export.path))
    XCTAssertEqual(runs(), 0)

    try f.vault.wipe()
    XCTAssertTrue(p.cleanup.finishInterruptedWipe())
    try assertNothingLeft(f, p, scheduler: scheduler, driver: driver, platformRuns: runs())
    XCTAssertFalse(p.cleanup.finishInterruptedWipe(), "nothing left to finish")
  }

  /// A clean-up cut short after the Keychain item and the files went, before the
  /// notifications: nothing but the marker says a wipe happened, and the next start
  /// finishes it.
  func testAStartAfterACleanUpKilledMidwayFinishesIt() throws {
    let f = try Fixture(self)
    let scheduler = RecordingScheduler()
    let composer = HeldComposer()
    let driver = EscalationDriver(
      scheduler: scheduler, composer: composer, now: { [clock = f.clock] in clock.now })
    let (p, runs) = try places(f, scheduler: scheduler, driver: driver)
    _ = try useThePhone(f, p, scheduler: scheduler, composer: composer, driver: driver)
    try f.vault.wipe()
    XCTAssertTrue(
      FileManager.default.createFile(
        atPath: f.dir.appendingPathComponent("wipe-pending").path, contents: Data()))
    try f.secrets.delete()
    p.defaults.removePersistentDomain(forName: p.suite)
    try FileManager.default.removeItem(at: p.export)
    try FileManager.default.removeItem(at: p.caches.appendingPathComponent("c.bin"))
    XCTAssertFalse(scheduler.pending.isEmpty)
    XCTAssertTrue(p.cleanup.finishInterruptedWipe())
    try assertNothingLeft(f, p, scheduler: scheduler, driver: driver, platformRuns: runs())
  }

  /// The Call Directory reload failed (another reload under way) or never answered: the
  /// marker stays and the next start runs the clean-up, reload included, again; once it
  /// succeeds the marker goes and a later start does nothing.
  func testAFailedCallDirectoryReloadRunsAgainAtTheNextStart() throws {
    let f = try Fixture(self)
    let scheduler = RecordingScheduler()
    let composer = HeldComposer()
    let driver = EscalationDriver(
      scheduler: scheduler, composer: composer, now: { [clock = f.clock] in clock.now })
    let (p, runs) = try places(f, scheduler: scheduler, driver: driver)
    _ = try useThePhone(f, p, scheduler: scheduler, composer: composer, driver: driver)
    var answers = [false, true]
    var reloads = 0
    var told: [Bool] = []
    p.cleanup.asyncPlatformSteps = [
      { done in
        reloads += 1
        done(answers.removeFirst())
      }
    ]
    p.cleanup.onAsyncStepsDone = { told.append($0) }
    try f.vault.wipe()
    XCTAssertTrue(p.cleanup.finishInterruptedWipe())
    XCTAssertEqual(told, [false], "the failure is reported")
    let marker = f.dir.appendingPathComponent("wipe-pending")
    XCTAssertTrue(FileManager.default.fileExists(atPath: marker.path), "the marker stays")
    XCTAssertNil(f.secrets.secret)

    XCTAssertTrue(p.cleanup.finishInterruptedWipe(), "the next start runs it again")
    XCTAssertEqual(reloads, 2)
    XCTAssertEqual(told, [false, true])
    try assertNothingLeft(f, p, scheduler: scheduler, driver: driver, platformRuns: runs() - 1)
    XCTAssertFalse(p.cleanup.finishInterruptedWipe(), "nothing left to finish")
  }

  /// The vault is there but cannot be read at this start (an I/O error, a permission gone
  /// wrong): the start must not take it for a finished wipe. The test makes `stat` of the
  /// vault fail with a loop of symbolic links in place of its folder (the tests run as
  /// root, which `chmod 000` does not stop); the secret and everything else are kept and
  /// the vault opens once readable again.
  func testAStartWithTheVaultPresentButUnreadableKeepsEverything() throws {
    let f = try Fixture(self)
    let scheduler = RecordingScheduler()
    let composer = HeldComposer()
    let driver = EscalationDriver(
      scheduler: scheduler, composer: composer, now: { [clock = f.clock] in clock.now })
    let (p, runs) = try places(f, scheduler: scheduler, driver: driver)
    let session = try useThePhone(f, p, scheduler: scheduler, composer: composer, driver: driver)
    session.lock()
    let fm = FileManager.default
    let aside = f.dir.deletingLastPathComponent()
      .appendingPathComponent(f.dir.lastPathComponent + ".aside")
    try fm.moveItem(at: f.dir, to: aside)
    addTeardownBlock { try? FileManager.default.removeItem(at: aside) }
    do {
      try fm.createSymbolicLink(atPath: f.dir.path, withDestinationPath: f.dir.path)
      XCTAssertThrowsError(try f.vault.exists(), "the vault cannot be stat'ed")
      XCTAssertFalse(p.cleanup.finishInterruptedWipe())
    }
    try fm.removeItem(at: f.dir)
    try fm.moveItem(at: aside, to: f.dir)
    XCTAssertEqual(runs(), 0)
    XCTAssertNotNil(f.secrets.secret, "the secret")
    XCTAssertFalse(scheduler.pending.isEmpty)
    XCTAssertTrue(fm.fileExists(atPath: p.export.path))
    XCTAssertEqual(p.defaults.string(forKey: "last-buddy"), "Ana +447400123456")
    let opened = try f.vault.unlock(
      passphrase: passphrase, deviceSecret: try XCTUnwrap(f.secrets.secret), now: f.clock.now)
    XCTAssertEqual(try opened.listBuddies().buddies.map(\.name), ["Ana"])
  }

  /// The Keychain refuses to delete the secret: the unlock limit's screen says so (the
  /// panic wipe's already did).
  func testAKeychainItemThatCannotBeDeletedIsSaidAfterTheUnlockLimit() throws {
    let f = try Fixture(self)
    let session = try f.created()
    try session.setUnlockLimit(attempts: 2)
    session.lock()
    f.secrets.refuseDelete = true
    let unlock = UnlockViewModel(vault: f.vault, secrets: f.secrets, kdfIterations: fastKdf)
    for wrong in ["wrong horse battery", "wrong horse again"] {
      unlock.form.passphrase = wrong
      XCTAssertNil(unlock.submit())
    }
    XCTAssertFalse(try f.vault.exists())
    XCTAssertEqual(unlock.state.stage, .create)
    XCTAssertEqual(unlock.state.message, .key("wipe_secret_not_deleted"))
  }
}
