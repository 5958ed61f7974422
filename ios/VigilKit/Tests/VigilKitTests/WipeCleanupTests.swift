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
      defaultsDomain: suite, files: [export], folders: [caches])
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
    return session
  }

  private func assertNothingLeft(
    _ f: Fixture, _ p: Places, scheduler: RecordingScheduler, driver: EscalationDriver,
    platformRuns: Int, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    XCTAssertFalse(try f.vault.exists(), file: file, line: line)
    XCTAssertNil(f.secrets.secret, "Keychain secret", file: file, line: line)
    XCTAssertEqual(scheduler.pending.count, 0, "notifications", file: file, line: line)
    XCTAssertTrue(driver.inFlight.isEmpty, "open composers", file: file, line: line)
    XCTAssertTrue(driver.watchAlerts.isEmpty, file: file, line: line)
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
}
