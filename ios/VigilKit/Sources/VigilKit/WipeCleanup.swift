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
/// escalation driver's in-memory lists, the app's UserDefaults domain, the files and
/// folders the app names, and the "clean-up under way" marker. What only iOS can do (reload
/// the Call Directory extension with no labels, cancel the background refresh, drop the
/// composer's queue and close its screens) comes in as `platformSteps` and
/// `asyncPlatformSteps` from the app.
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
  /// Apple-only steps, run before the Keychain secret goes (each must not throw).
  public var platformSteps: [() -> Void] = []
  /// Apple-only steps whose result comes later (the Call Directory reload): each calls its
  /// completion once, true when done. The marker stays until all of them said true, so a
  /// step that failed (or an app killed before it answered) runs again at the next start.
  public var asyncPlatformSteps: [(@escaping (Bool) -> Void) -> Void] = []
  /// Told once every asynchronous step answered: false when one failed (the screen says
  /// the call labels may still be in iOS's store until the next start).
  public var onAsyncStepsDone: ((Bool) -> Void)?
  /// "A wipe's clean-up is under way": written before it starts, removed as its very last
  /// step, outside the folders it empties. The start check sees it when nothing else on
  /// disk shows that a clean-up was cut short (the Keychain item already gone).
  private let marker: URL?

  /// - Parameters:
  ///   - defaultsDomain: the persistent domain removed from `defaults` (the app's bundle id;
  ///     a suite name in the tests); nil: none.
  ///   - files: single files the app may leave (the export's temporary file, the Call
  ///     Directory hand-over file in the app group).
  ///   - folders: folders emptied, not removed (caches, temporary files, the app's support
  ///     folder once the vault is gone).
  ///   - marker: where the "clean-up under way" marker is written (nil: none).
  public init(
    vault: Vault, secrets: DeviceSecretStore, scheduler: NotificationScheduler?,
    defaults: UserDefaults = .standard, defaultsDomain: String? = nil, files: [URL] = [],
    folders: [URL] = [], marker: URL? = nil
  ) {
    self.marker = marker
    self.vault = vault
    self.secrets = secrets
    self.scheduler = scheduler
    self.defaults = defaults
    self.defaultsDomain = defaultsDomain
    self.files = files
    self.folders = folders
  }

  /// The marker, the core's wipe once more (idempotent: it shreds what an interrupted
  /// creation or wipe left), every notification, the driver's lists, the platform's steps
  /// (what nothing on disk would show once the secret is gone), the Keychain secret, the
  /// defaults, the files, and the marker last (once the asynchronous steps all succeeded).
  /// Every step runs even if one fails. False when the Keychain secret could not be
  /// deleted (the vault is gone either way; the screen says so). A file in the app's own
  /// container that cannot be removed is not reported: there is nothing she could do
  /// about it.
  @discardableResult
  public func erase() -> Bool {
    var ok = true
    let fm = FileManager.default
    if let marker { _ = fm.createFile(atPath: marker.path, contents: Data()) }
    try? vault.wipe()
    scheduler?.cancelAll()
    driver?.forget()
    for step in platformSteps { step() }
    do { try secrets.delete() } catch { ok = false }
    if let domain = defaultsDomain {
      defaults.removePersistentDomain(forName: domain)
      _ = defaults.synchronize()
    }
    for file in files where fm.fileExists(atPath: file.path) {
      try? fm.removeItem(at: file)
    }
    for folder in folders {
      for item in (try? fm.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [] {
        try? fm.removeItem(at: item)
      }
    }
    finishAsyncSteps()
    return ok
  }

  /// Runs the asynchronous steps; the marker goes once all of them succeeded.
  private func finishAsyncSteps() {
    var waiting = asyncPlatformSteps.count
    var allDone = true
    let marker = self.marker
    let told = onAsyncStepsDone
    let answered: (Bool) -> Void = { done in
      allDone = allDone && done
      waiting -= 1
      guard waiting == 0 else { return }
      if allDone, let marker { try? FileManager.default.removeItem(at: marker) }
      told?(allDone)
    }
    if asyncPlatformSteps.isEmpty {
      if let marker { try? FileManager.default.removeItem(at: marker) }
      return
    }
    for step in asyncPlatformSteps {
      var once = false
      step { done in
        guard !once else { return }
        once = true
        answered(done)
      }
    }
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
  /// lists only later) is present, or the marker of a clean-up that did not finish.
  func leftovers() -> Bool {
    if let marker, FileManager.default.fileExists(atPath: marker.path) { return true }
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
