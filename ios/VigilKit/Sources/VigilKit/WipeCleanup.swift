import Foundation
import VigilCore

/// What the app keeps outside the core's vault files, and its removal once the vault is
/// wiped (docs/threat-model.md, "What the phone apps leave behind after a wipe"). One call,
/// `erase()`, from every wipe path: the panic wipe, the automatic wipe after the unlock
/// limit (the core wipes while unlocking and says `Wiped`), and a start that finds the vault
/// gone while traces remain (`finishInterruptedWipe`: the app was killed between the core's
/// wipe and this).
///
/// The Foundation-only part lives here and is tested on Linux: the Keychain secret (through
/// `DeviceSecretStore`), pending and delivered notifications (through the scheduler), the
/// escalation driver's in-memory lists, the app's UserDefaults domain and the files and
/// folders the app names. What only iOS can do (reload the Call Directory extension with no
/// labels, cancel the background refresh, drop the composer's queue) comes in as
/// `platformSteps` from the app.
public final class WipeCleanup {
  private let vault: Vault
  private let secrets: DeviceSecretStore
  private let scheduler: NotificationScheduler?
  private let defaults: UserDefaults
  private let defaultsDomain: String?
  private let files: [URL]
  private let folders: [URL]
  /// The driver whose in-memory lists (open composers, unsent SAFEs, alerts held) go too.
  public weak var driver: EscalationDriver?
  /// Apple-only steps, run last (each must not throw).
  public var platformSteps: [() -> Void] = []

  /// - Parameters:
  ///   - defaultsDomain: the persistent domain removed from `defaults` (the app's bundle id;
  ///     a suite name in the tests); nil: none.
  ///   - files: single files the app may leave (the export's temporary file, the Call
  ///     Directory hand-over file in the app group).
  ///   - folders: folders emptied, not removed (caches, temporary files, the app's support
  ///     folder once the vault is gone).
  public init(
    vault: Vault, secrets: DeviceSecretStore, scheduler: NotificationScheduler?,
    defaults: UserDefaults = .standard, defaultsDomain: String? = nil, files: [URL] = [],
    folders: [URL] = []
  ) {
    self.vault = vault
    self.secrets = secrets
    self.scheduler = scheduler
    self.defaults = defaults
    self.defaultsDomain = defaultsDomain
    self.files = files
    self.folders = folders
  }

  /// The core's wipe once more (idempotent: it shreds what an interrupted creation or wipe
  /// left), every notification, the driver's lists, the Keychain secret, the defaults, the
  /// files, then the platform's steps. Every step runs even if one fails. False when the
  /// Keychain secret could not be deleted (the vault is gone either way; the screen says
  /// so). A file in the app's own container that cannot be removed is not reported: there
  /// is nothing she could do about it.
  @discardableResult
  public func erase() -> Bool {
    var ok = true
    try? vault.wipe()
    scheduler?.cancelAll()
    driver?.forget()
    do { try secrets.delete() } catch { ok = false }
    if let domain = defaultsDomain {
      defaults.removePersistentDomain(forName: domain)
      _ = defaults.synchronize()
    }
    let fm = FileManager.default
    for file in files where fm.fileExists(atPath: file.path) {
      try? fm.removeItem(at: file)
    }
    for folder in folders {
      for item in (try? fm.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [] {
        try? fm.removeItem(at: item)
      }
    }
    for step in platformSteps { step() }
    return ok
  }

  /// At start: no vault, but something the app stored is still here (a secret, a default,
  /// a file): the clean-up of a wipe did not run, so it runs now. Does nothing while the
  /// vault cannot be read (protected data before the first unlock after a reboot: the
  /// question is asked again at the next start). True when it erased.
  @discardableResult
  public func finishInterruptedWipe() -> Bool {
    guard (try? vault.exists()) == false, leftovers() else { return false }
    erase()
    return true
  }

  /// True when anything `erase()` removes (other than notifications, which the center
  /// lists only later) is present.
  func leftovers() -> Bool {
    if (try? secrets.load()) != nil { return true }
    if let domain = defaultsDomain, let kept = defaults.persistentDomain(forName: domain),
      !kept.isEmpty
    {
      return true
    }
    let fm = FileManager.default
    if files.contains(where: { fm.fileExists(atPath: $0.path) }) { return true }
    return folders.contains {
      !((try? fm.contentsOfDirectory(atPath: $0.path)) ?? []).isEmpty
    }
  }
}
