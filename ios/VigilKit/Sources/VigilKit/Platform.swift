import Foundation

/// The device secret that binds the vault to this phone. The app keeps it in the Keychain
/// (`kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`, Vigil/Glue/KeychainSecretStore.swift);
/// tests use an in-memory double.
public protocol DeviceSecretStore: AnyObject {
  /// The stored secret, or nil when none was made on this device.
  func load() throws -> Data?
  /// Makes, stores and returns a new random secret (at least 32 bytes).
  func create() throws -> Data
  /// Deletes the secret; after a panic wipe nothing on the device can open the vault again.
  func delete() throws
}

/// A local notification the app asks for. `timeSensitive` ones break through Focus modes.
public struct NotificationRequest: Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    /// Wakes the app at the core's `nextWakeup` (the check-in timer).
    case wake
    /// A worker notice from the core (reminder, overdue, a buddy could not be reached).
    case notice
    /// A buddy must be alerted, or a paired buddy's phone sent a watch message: opening it
    /// presents the message composer or the call.
    case escalation(actionId: String)
    /// On the buddy's phone: a watch held for a paired worker needs her attention (the
    /// reminder, the alarm, a next step). Its text on the lock screen names nobody; the
    /// details are in the app.
    case watchAlert(watchId: String)
  }

  public let id: String
  public let fireAt: Date
  public let kind: Kind
  /// A string key for the title (`Localizable.strings`).
  public let titleKey: String
  /// The body: the core's text for notices, a string key otherwise.
  public let body: String
  public let bodyIsKey: Bool
  public let timeSensitive: Bool
  /// The alarm sound (a watch's alarm steps on the buddy's phone), else the usual one.
  public let alarmSound: Bool

  /// The title in the phone's language.
  public var title: String { L10n.text(titleKey) }
  /// The body as shown: the string for a key, the core's text as it is.
  public var bodyText: String { bodyIsKey ? L10n.text(body) : body }

  public init(
    id: String, fireAt: Date, kind: Kind, titleKey: String, body: String, bodyIsKey: Bool,
    timeSensitive: Bool, alarmSound: Bool = false
  ) {
    self.id = id
    self.fireAt = fireAt
    self.kind = kind
    self.titleKey = titleKey
    self.body = body
    self.bodyIsKey = bodyIsKey
    self.timeSensitive = timeSensitive
    self.alarmSound = alarmSound
  }
}

/// `UNUserNotificationCenter` in the app; a recording double in the tests.
public protocol NotificationScheduler: AnyObject {
  /// Schedules (or replaces, same id) a notification.
  func schedule(_ request: NotificationRequest)
  func cancel(ids: [String])
  /// Makes `requests` the whole set pending under `prefix`: each is scheduled (same id:
  /// replaced) and every other pending id with that prefix is removed. The real center
  /// lists its pending ids only later, in a callback: that late removal must spare every id
  /// of the newest set (ids are stable across reschedules), or it deletes what was just
  /// added (a buddy's alarm lost on every foreground).
  func replace(prefix: String, with requests: [NotificationRequest])
  func cancelAll()
}

/// What the shell must do for a buddy message: iOS cannot send an SMS or place a call by
/// itself, so each becomes a screen the worker confirms (`MFMessageComposeViewController`
/// prefilled, the call sheet, the share sheet).
public struct OutgoingRequest: Equatable, Sendable {
  public enum Via: Equatable, Sendable {
    case sms
    case call
    case otherApp
  }

  /// The core's action id, as `checkin:seq`: one request per id at a time.
  public let actionId: String
  public let via: Via
  public let recipients: [String]
  /// The buddy's name, to say who is being alerted (shown in the app, never on the lock
  /// screen).
  public let buddyName: String
  /// The core's message text (in the buddy's language, with the place).
  public let body: String

  public init(actionId: String, via: Via, recipients: [String], buddyName: String, body: String) {
    self.actionId = actionId
    self.via = via
    self.recipients = recipients
    self.buddyName = buddyName
    self.body = body
  }
}

/// How the composer (or the call / share sheet) ended.
public enum ComposerResult: Equatable, Sendable {
  case sent
  case cancelled
  case failed
}

/// Presents the composer, the call or the share sheet; calls `completion` once, when the
/// worker has finished with it. The app's implementation is Vigil/Glue/MessageComposer.swift.
public protocol MessageComposer: AnyObject {
  func present(_ request: OutgoingRequest, completion: @escaping (ComposerResult) -> Void)
}

/// The alternate app icons (camouflage): `UIApplication.setAlternateIconName` in the app.
public protocol AppIconSetter: AnyObject {
  /// nil: the normal icon.
  var currentIconName: String? { get }
  func setIcon(_ name: String?, completion: @escaping (Bool) -> Void)
}

/// The part of `UNUserNotificationCenter` that `PendingSet` needs.
public protocol PendingNotificationCenter: AnyObject {
  /// Adds (same id: replaces) a pending notification.
  func add(_ request: NotificationRequest)
  func removePending(ids: [String])
  /// The ids pending, told later (the real center answers on another queue).
  func pendingIds(_ done: @escaping ([String]) -> Void)
}

/// `NotificationScheduler.replace` over a center that lists its pending ids only later. Ids
/// are stable across reschedules, so removing "every id with the prefix" when the list
/// arrives would delete the requests just added: what this process asked for before and no
/// longer wants goes at once, by id; what an earlier run left goes when the list arrives,
/// judged against the newest set asked for by then.
public final class PendingSet {
  /// Weak: the center (the app's scheduler) owns this.
  private weak var center: PendingNotificationCenter?
  /// The callback may come on another queue; the lock also keeps removals in order with adds.
  private let lock = NSLock()
  private var wanted: [String: Set<String>] = [:]

  public init(center: PendingNotificationCenter) { self.center = center }

  public func replace(prefix: String, with requests: [NotificationRequest]) {
    guard let center else { return }
    lock.lock()
    let keep = Set(requests.map(\.id))
    let dropped = (wanted[prefix] ?? []).subtracting(keep)
    wanted[prefix] = keep
    if !dropped.isEmpty { center.removePending(ids: Array(dropped).sorted()) }
    for request in requests { center.add(request) }
    lock.unlock()
    center.pendingIds { [weak self] ids in
      guard let self else { return }
      self.lock.lock()
      defer { self.lock.unlock() }
      let keepNow = self.wanted[prefix] ?? []
      let stale = ids.filter { $0.hasPrefix(prefix) && !keepNow.contains($0) }
      if !stale.isEmpty { self.center?.removePending(ids: stale) }
    }
  }

  /// Everything was removed (`cancelAll`): nothing is wanted any more.
  public func forget() {
    lock.lock()
    wanted = [:]
    lock.unlock()
  }
}
