import Foundation
import VigilCore

/// The first screen: create the vault (with a new device secret) or unlock it. The duress
/// passphrase goes through the same call and leaves exactly the same state.
public final class UnlockViewModel: ViewModel {
  public enum Stage: Equatable, Sendable {
    case create
    case unlock
    case unlocked
  }

  public struct Form: Equatable, Sendable {
    public var passphrase = ""
    /// Only when creating: typed twice.
    public var confirmation = ""
    public init() {}
  }

  public struct State: Equatable, Sendable {
    public var stage: Stage
    public var message: FormMessage?
  }

  public private(set) var state: State {
    didSet { if state != oldValue { onChange?() } }
  }
  public var form = Form() {
    didSet { if form != oldValue { onChange?() } }
  }
  public var onChange: (() -> Void)?
  /// The open vault after a successful submit (normal or decoy: nobody can tell).
  public private(set) var session: Session?

  private let vault: Vault
  private let secrets: DeviceSecretStore
  private let kdfIterations: UInt32?
  private let now: () -> Date
  private let cleanup: WipeCleanup
  /// Called after the unlock limit wiped the vault and `cleanup` ran: the app drops what
  /// it shows (the create screen is this one's next state).
  public var onWiped: (() -> Void)?

  /// `kdfIterations`: nil for the core's default; tests pass the minimum. `cleanup`: what
  /// goes with the vault when the unlock limit wipes it (the app's; without one, the
  /// device secret only).
  public init(
    vault: Vault, secrets: DeviceSecretStore, kdfIterations: UInt32? = nil,
    cleanup: WipeCleanup? = nil, now: @escaping () -> Date = Date.init
  ) {
    self.vault = vault
    self.secrets = secrets
    self.kdfIterations = kdfIterations
    self.cleanup = cleanup ?? WipeCleanup(vault: vault, secrets: secrets, scheduler: nil)
    self.now = now
    state = State(stage: .unlock, message: nil)
    refresh()
  }

  /// Reads the vault header (no passphrase): create or unlock.
  public func refresh() {
    do {
      let probe = try vault.probe()
      state = State(stage: probe.exists ? .unlock : .create, message: nil)
    } catch {
      state = State(stage: .unlock, message: FormMessage.from(error))
    }
  }

  /// Creates or unlocks. On failure what was typed stays, with the core's message.
  @discardableResult
  public func submit() -> Session? {
    switch state.stage {
    case .create: return create()
    case .unlock: return unlock()
    case .unlocked: return session
    }
  }

  private func create() -> Session? {
    guard form.passphrase == form.confirmation else {
      state.message = .key("passphrase_mismatch")
      return nil
    }
    var secret: Data?
    do {
      let made = try secrets.create()
      secret = made
      let opened = try vault.create(
        passphrase: form.passphrase, deviceSecret: made, kdfIterations: kdfIterations)
      return didOpen(opened)
    } catch {
      // Nothing was written: a secret made for it would bind nothing.
      if secret != nil { try? secrets.delete() }
      state.message = FormMessage.from(error)
      return nil
    }
  }

  private func unlock() -> Session? {
    do {
      let secret = try secrets.load() ?? Data()
      let opened = try vault.unlock(passphrase: form.passphrase, deviceSecret: secret, now: now())
      return didOpen(opened)
    } catch VigilError.Wiped(let detail, let hint) {
      // The vault wiped itself (unlock limit): its device secret and every trace the app
      // kept outside it go with it.
      // A Keychain item that could not be deleted is said (the vault is gone either way,
      // which that message says too).
      let clean = cleanup.erase()
      state = State(
        stage: .create,
        message: clean
          ? .core(kind: "Wiped", detail: detail, hint: hint) : .key("wipe_secret_not_deleted"))
      onWiped?()
      return nil
    } catch {
      state.message = FormMessage.from(error)
      return nil
    }
  }

  private func didOpen(_ opened: Session) -> Session {
    session = opened
    // The passphrase is not kept once it has done its work.
    form = Form()
    state = State(stage: .unlocked, message: nil)
    // Times in buddy messages use the phone's offset unless the settings fix one.
    try? opened.setDeviceUtcOffset(
      minutes: Int32(TimeZone.current.secondsFromGMT(for: now()) / 60))
    return opened
  }

  /// Locks the session (the app calls it when going to the background if she asks).
  public func lock() {
    session?.lock()
    session = nil
    refresh()
  }
}
