import Foundation
import VigilCore
import XCTest

@testable import VigilKit

/// The Keychain's stand-in: records what the app would do to the real one.
final class InMemorySecretStore: DeviceSecretStore {
  var secret: Data?
  var deletions = 0

  func load() throws -> Data? { secret }

  func create() throws -> Data {
    let made = Data("keychain secret for the tests!!!".utf8)
    secret = made
    return made
  }

  /// Set: deleting fails, as the Keychain may.
  var refuseDelete = false

  func delete() throws {
    if refuseDelete { throw CocoaError(.fileWriteNoPermission) }
    secret = nil
    deletions += 1
  }
}

/// `UNUserNotificationCenter`'s stand-in: the pending notifications by id. Like the real
/// center it lists its pending ids only later: `pendingIds` callbacks wait until
/// `answerPendingLists()` (on the phone, until another queue gets to them).
final class RecordingScheduler: NotificationScheduler, PendingNotificationCenter {
  var pending: [String: NotificationRequest] = [:]
  var history: [NotificationRequest] = []
  private var lists: [([String]) -> Void] = []
  private lazy var pendingSet = PendingSet(center: self)

  func schedule(_ request: NotificationRequest) { add(request) }

  func add(_ request: NotificationRequest) {
    pending[request.id] = request
    history.append(request)
  }

  func removePending(ids: [String]) {
    for id in ids { pending[id] = nil }
  }

  func pendingIds(_ done: @escaping ([String]) -> Void) { lists.append(done) }

  /// The center answers every `pendingIds` asked so far, in order, each with the ids pending
  /// now.
  func answerPendingLists() {
    let waiting = lists
    lists = []
    for done in waiting { done(Array(pending.keys)) }
  }

  func cancel(ids: [String]) {
    for id in ids { pending[id] = nil }
  }

  func replace(prefix: String, with requests: [NotificationRequest]) {
    pendingSet.replace(prefix: prefix, with: requests)
  }

  func cancelAll() {
    pendingSet.forget()
    pending = [:]
  }

  /// The wake-up times pending, earliest first.
  var wakeTimes: [Date] {
    pending.values.filter { $0.kind == .wake }.map(\.fireAt).sorted()
  }
}

/// The composer's stand-in: holds each request open until the test answers it, as the
/// worker would.
final class HeldComposer: MessageComposer {
  var presented: [OutgoingRequest] = []
  private var completions: [String: (ComposerResult) -> Void] = [:]

  func present(_ request: OutgoingRequest, completion: @escaping (ComposerResult) -> Void) {
    presented.append(request)
    completions[request.actionId] = completion
  }

  func answer(_ actionId: String, _ result: ComposerResult) {
    completions.removeValue(forKey: actionId)?(result)
  }
}

/// Records every outcome the shell reports, then passes it to the real core.
final class RecordingSource: EscalationSource {
  let inner: EscalationSource
  var reported: [(ActionId, Outcome)] = []

  init(_ inner: EscalationSource) { self.inner = inner }

  func tick(now: Date) throws -> [Action] { try inner.tick(now: now) }
  func nextWakeup() throws -> Date? { try inner.nextWakeup() }
  func checkIn(code: String, now: Date) throws -> CheckInReceipt {
    try inner.checkIn(code: code, now: now)
  }
  func rows() throws -> (rows: [CheckinRow], unreadable: Int) { try inner.rows() }
  func reportOutcome(action: ActionId, outcome: Outcome, now: Date) throws {
    reported.append((action, outcome))
    try inner.reportOutcome(action: action, outcome: outcome, now: now)
  }
  func watchTick(now: Date) throws -> [WatchAction] { try inner.watchTick(now: now) }
  func receiveWatch(text: String, now: Date) throws -> WatchReceipt {
    try inner.receiveWatch(text: text, now: now)
  }
  func heldWatches() throws -> [HeldWatch] { try inner.heldWatches() }
  func heldWatchTimes() throws -> [HeldWatchTimes] { try inner.heldWatchTimes() }
  func acknowledgeWatch(watchId: String, now: Date) throws {
    try inner.acknowledgeWatch(watchId: watchId, now: now)
  }
  func sentWatches() throws -> [SentWatch] { try inner.sentWatches() }
}

final class FakeIconSetter: AppIconSetter {
  var currentIconName: String?
  var fails = false

  func setIcon(_ name: String?, completion: @escaping (Bool) -> Void) {
    if !fails { currentIconName = name }
    completion(!fails)
  }
}

/// A clock the test moves by hand.
final class TestClock {
  var now: Date
  init(_ now: Date) { self.now = now }
  func advance(minutes: Double) { now = now.addingTimeInterval(minutes * 60) }
  func at(minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }
}

/// 2026-11-28T20:00:00Z, as in the Kotlin scenario.
let t0 = Date(timeIntervalSince1970: 1_795_896_000)
/// The core's minimum: the KDF is not under test here.
let fastKdf: UInt32 = 100_000
let passphrase = "correct horse battery"
let duressPassphrase = "purple monkey dishwasher"

/// A fresh vault in its own temporary folder, deleted after the test.
final class Fixture {
  let dir: URL
  let vault: Vault
  let secrets = InMemorySecretStore()
  let clock = TestClock(t0)

  init(_ test: XCTestCase) throws {
    dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("vigilkit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    vault = Vault(path: dir.appendingPathComponent("vault.db").path)
    let dir = self.dir
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
  }

  /// Creates the vault through the unlock screen, as the app does.
  func created() throws -> Session {
    let unlock = UnlockViewModel(
      vault: vault, secrets: secrets, kdfIterations: fastKdf, now: { [clock] in clock.now })
    unlock.form.passphrase = passphrase
    unlock.form.confirmation = passphrase
    return try XCTUnwrap(unlock.submit())
  }

  /// A vault with Ana as buddy (SMS), codes set, and a booking at 12 Example Street.
  func withBuddyAndBooking() throws -> (Session, Buddy, Booking) {
    let session = try created()
    let buddy = try session.addBuddy(
      input: BuddyInput(
        name: "Ana", phone: "07400 123456", channel: .sms, language: "en", plainLetters: nil))
    try session.setCheckinCodes(code: "4321", duressCode: "9876")
    let booking = try session.addBooking(
      input: BookingInput(
        clientLabel: "New client", clientPhone: nil, clientEmail: nil, clientHandle: nil,
        startsAt: t0, endsAt: t0.addingTimeInterval(3600), kind: .outcall,
        address: "12 Example Street", latitude: 51.5, longitude: -0.12, terms: nil, notes: nil,
        status: .planned),
      now: t0)
    return (session, buddy, booking)
  }
}
