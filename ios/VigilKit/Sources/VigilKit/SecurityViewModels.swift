import Foundation
import VigilCore

/// The duress passphrase: it opens a decoy vault the same way, and can alert buddies.
public final class DuressViewModel: ViewModel {
  public struct Form: Equatable, Sendable {
    public var current = ""
    public var duress = ""
    public var confirmation = ""
    public var destroyReal = false
    public var alertBuddies = true
    /// Empty: every buddy.
    public var buddyIds: [String] = []
    public init() {}
  }

  public struct State: Equatable, Sendable {
    public var message: FieldMessage?
    public var saved = false
  }

  public private(set) var state = State() {
    didSet { if state != oldValue { onChange?() } }
  }
  public var form = Form() {
    didSet { if form != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?

  private let session: Session
  private let now: () -> Date

  public init(session: Session, now: @escaping () -> Date = Date.init) {
    self.session = session
    self.now = now
  }

  public func save() {
    guard form.duress == form.confirmation else {
      state = State(
        message: FieldMessage(field: "duress", message: .key("passphrase_mismatch")))
      return
    }
    do {
      try session.setDuress(
        current: form.current, duress: form.duress, destroyReal: form.destroyReal,
        alertBuddies: form.alertBuddies, buddyIds: form.buddyIds, now: now())
      form = Form()
      state = State(message: nil, saved: true)
    } catch {
      state = State(message: FieldMessage.from(error), saved: false)
    }
  }

  public func clear() {
    do {
      try session.clearDuress()
      state = State(message: nil, saved: false)
    } catch {
      state = State(message: FieldMessage.from(error), saved: state.saved)
    }
  }
}

/// Wipe the vault after so many wrong passphrases in a row (empty field: no limit).
public final class UnlockLimitViewModel: ViewModel {
  public struct State: Equatable, Sendable {
    public var limit: UInt32?
    public var message: FieldMessage?
  }

  public private(set) var state = State() {
    didSet { if state != oldValue { onChange?() } }
  }
  public var attempts = "" {
    didSet { if attempts != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?

  private let session: Session

  public init(session: Session) {
    self.session = session
  }

  public func save() {
    do {
      let limit = try Field.optionalUInt32(attempts, field: "attempts")
      try session.setUnlockLimit(attempts: limit)
      state = State(limit: limit, message: nil)
    } catch {
      state.message = FieldMessage.from(error)
    }
  }
}

/// The panic wipe: a short window to cancel, then the core wipes the vault and the app
/// deletes the device secret from the Keychain (what makes it final on flash storage) and
/// every other trace it kept outside the vault (`WipeCleanup`).
public final class PanicWipeViewModel: ViewModel {
  public enum Stage: Equatable, Sendable {
    case idle
    case counting(dueAt: Date)
    case cancelled
    case wiped
  }

  public struct State: Equatable, Sendable {
    public var stage: Stage = .idle
    public var message: FormMessage?
  }

  public private(set) var state = State() {
    didSet { if state != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?
  /// Called once the wipe is done: the app drops every screen and shows the create screen.
  public var onWiped: (() -> Void)?

  private let vault: Vault
  private let cleanup: WipeCleanup
  private let session: Session?
  private let now: () -> Date
  private var pending: PendingWipe?

  /// `cleanup`: the app's (every trace outside the vault); without one, the device secret
  /// and the notifications.
  public init(
    vault: Vault, session: Session?, secrets: DeviceSecretStore,
    scheduler: NotificationScheduler, cleanup: WipeCleanup? = nil,
    now: @escaping () -> Date = Date.init
  ) {
    self.vault = vault
    self.session = session
    self.cleanup =
      cleanup ?? WipeCleanup(vault: vault, secrets: secrets, scheduler: scheduler)
    self.now = now
  }

  /// Starts the window; the app's timer calls `poll()` every second.
  public func start(windowSeconds: UInt32 = 10) {
    do {
      let wipe = try vault.wipeAfter(now: now(), windowSeconds: windowSeconds)
      pending = wipe
      state = State(stage: .counting(dueAt: wipe.dueAt()), message: nil)
    } catch {
      state.message = FormMessage.from(error)
    }
  }

  /// Seconds left in the window (rounded up).
  public var secondsLeft: Int {
    guard case .counting(let dueAt) = state.stage else { return 0 }
    return max(0, Int(dueAt.timeIntervalSince(now()).rounded(.up)))
  }

  public func cancel() {
    guard let pending else { return }
    switch pending.cancel() {
    case .done: finish()
    default:
      self.pending = nil
      state = State(stage: .cancelled, message: nil)
    }
  }

  public func poll() {
    guard let pending else { return }
    do {
      if try pending.poll(now: now()) == .done { finish() }
    } catch {
      state.message = FormMessage.from(error)
    }
  }

  private func finish() {
    pending = nil
    session?.lock()
    if cleanup.erase() {
      state = State(stage: .wiped, message: nil)
    } else {
      // The vault is gone; say that the Keychain item could not be removed.
      state = State(stage: .wiped, message: .key("wipe_secret_not_deleted"))
    }
    onWiped?()
  }
}

/// An encrypted backup to a file the app then hands to the share sheet / Files.
public final class ExportViewModel: ViewModel {
  public struct Form: Equatable, Sendable {
    public var passphrase = ""
    public var confirmation = ""
    public init() {}
  }

  public struct State: Equatable, Sendable {
    public var summary: ExportSummary?
    public var message: FieldMessage?
  }

  public private(set) var state = State() {
    didSet { if state != oldValue { onChange?() } }
  }
  public var form = Form() {
    didSet { if form != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?

  private let session: Session
  private let destination: URL
  private let now: () -> Date

  public init(session: Session, destination: URL, now: @escaping () -> Date = Date.init) {
    self.session = session
    self.destination = destination
    self.now = now
  }

  /// Records left out because they could not be read: the screen says so.
  public var unreadableCount: Int { Int(clamping: state.summary?.unreadableCount ?? 0) }

  @discardableResult
  public func export() -> URL? {
    guard form.passphrase == form.confirmation else {
      state = State(
        summary: nil,
        message: FieldMessage(field: "passphrase", message: .key("passphrase_mismatch")))
      return nil
    }
    do {
      let summary = try session.exportToFile(
        path: destination.path, backupPassphrase: form.passphrase, now: now())
      form = Form()
      state = State(summary: summary, message: nil)
      return destination
    } catch {
      state = State(summary: nil, message: FieldMessage.from(error))
      return nil
    }
  }
}

/// Camouflage: which icon the app shows on the home screen.
public final class CamouflageViewModel: ViewModel {
  /// The alternate icons in the asset catalogue (nil: Vigil's own).
  public static let icons: [String?] = [nil, "Calculator", "Notes", "Weather"]

  public struct State: Equatable, Sendable {
    public var current: String?
    public var message: FormMessage?
  }

  public private(set) var state: State {
    didSet { if state != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?
  private let setter: AppIconSetter

  public init(setter: AppIconSetter) {
    self.setter = setter
    state = State(current: setter.currentIconName, message: nil)
  }

  public func choose(_ name: String?) {
    setter.setIcon(name) { [weak self] ok in
      guard let self else { return }
      self.state = State(
        current: self.setter.currentIconName, message: ok ? nil : .key("camouflage_failed"))
    }
  }
}
