#if canImport(UIKit)
  import SwiftUI
  import VigilCore
  import VigilKit

  /// Holds the vault, the open session and the platform glue; builds each screen's view
  /// model. The only state kept outside the vault is what iOS itself keeps (notifications,
  /// the call directory, the alternate icon, the Keychain item) and an export's file:
  /// `cleanup` removes all of it (but the icon) on every wipe path.
  final class AppModel: ObservableObject {
    let vault: Vault
    /// Application Support: the vault's folder.
    let support: URL
    let secrets = KeychainSecretStore()
    let scheduler = NotificationCenterScheduler()
    let composer = SystemComposer()
    let icons = AlternateIcons()
    let gate = ProtectedDataGate()
    lazy var driver: EscalationDriver = {
      let driver = EscalationDriver(scheduler: scheduler, composer: composer, now: Date.init)
      driver.onNextWakeup = { BackgroundRefresh.submit(at: $0) }
      driver.onWatchAlerts = { [weak self] in self?.watchAlerts = $0 }
      // The core locks an idle session, also while a composer or a call is open: what
      // the composer or the call then reports goes to the locked runner.
      driver.fallbackSource = { [weak self] in try self?.watchSource() }
      return driver
    }()
    /// Every trace outside the vault, removed by every wipe path (VigilKit's `WipeCleanup`;
    /// docs/threat-model.md, "What the phone apps leave behind after a wipe").
    lazy var cleanup: WipeCleanup = {
      let fm = FileManager.default
      let library = fm.urls(for: .libraryDirectory, in: .userDomainMask)[0]
      var files = [exportURL()]
      if let group = fm.containerURL(
        forSecurityApplicationGroupIdentifier: CallDirectoryReloader.appGroup)
      {
        files.append(group.appendingPathComponent(CallDirectoryReloader.fileName))
      }
      let cleanup = WipeCleanup(
        vault: vault, secrets: secrets, scheduler: scheduler,
        defaultsDomain: Bundle.main.bundleIdentifier, files: files,
        // The vault's own folder (emptied once the core has wiped it), temporary files,
        // caches and the app-switcher snapshots iOS keeps of the last screen.
        folders: [
          support,
          fm.temporaryDirectory,
          library.appendingPathComponent("Caches"),
          library.appendingPathComponent("SplashBoard"),
        ],
        // In Library itself: none of the folders above, so it outlives the clean-up's
        // other steps.
        marker: library.appendingPathComponent("wipe-pending"))
      cleanup.driver = driver
      cleanup.platformSteps = [
        { BackgroundRefresh.submit(at: nil) },
        { [weak self] in self?.composer.dropAll() },
      ]
      // iOS keeps the call labels (numbers and her notes) in its own store. The reload is
      // retried on error (another reload under way); if it still fails, or the app is
      // killed first, the marker stays and the next start runs the clean-up again.
      cleanup.asyncPlatformSteps = [
        { done in
          CallDirectoryReloader.reload([], attempts: 3) { ok in
            DispatchQueue.main.async { done(ok) }
          }
        }
      ]
      return cleanup
    }()
    lazy var unlock: Observed<UnlockViewModel> = {
      let model = UnlockViewModel(vault: vault, secrets: secrets, cleanup: cleanup)
      // The unlock limit wiped the vault: the unlock screen already shows why.
      model.onWiped = { [weak self] in self?.wiped(refresh: false) }
      return Observed(model)
    }()
    @Published private(set) var session: Session?
    /// A call was placed for a buddy alert: the app asks whether it got through.
    @Published var callToConfirm: OutgoingRequest?
    /// Why the last wake-up could not tick the core (the core's words), shown on the
    /// check-in tab until the next one succeeds.
    @Published private(set) var wakeProblem: FormMessage?
    /// The buddy's side of "watch over me": the notices of the watches this phone holds
    /// (the alarm screen comes up while one is an alarm step).
    @Published private(set) var watchAlerts: [WatchAlert] = []
    /// The alarm screen was closed without acknowledging: it comes back with the next step.
    @Published var alarmScreenDismissed = false
    /// A watch notification was tapped: the watches held, whatever this process recalls.
    @Published var showWatches = false

    init() {
      support =
        FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
      try? FileManager.default.createDirectory(at: support, withIntermediateDirectories: true)
      // Readable after the first unlock since boot, like the Keychain item: the background
      // runner must open it while the phone is locked.
      try? FileManager.default.setAttributes(
        [.protectionKey: FileProtectionType.completeUntilFirstUserAuthentication],
        ofItemAtPath: support.path)
      vault = Vault(path: support.appendingPathComponent("vigil.vault").path)
    }

    /// Wires the composer's call hand-back (after `init`, when `self` can be captured).
    func start() {
      composer.onCallReturned = { [weak self] request in self?.callToConfirm = request }
      // A wipe whose clean-up never ran (the app was killed in between): finish it.
      cleanup.finishInterruptedWipe()
    }

    func callAnswered(_ result: ComposerResult) {
      callToConfirm = nil
      composer.callAnswered(result)
    }

    func unlocked(_ session: Session) {
      self.session = session
      wake()
    }

    func lock() {
      session?.lock()
      session = nil
      unlock.model.refresh()
    }

    /// Every alarm, notification tap, background refresh and return to the foreground:
    /// tick the session, or the locked runner with the Keychain secret.
    func wake() {
      gate.whenAvailable(
        { [self] in
          do {
            if let session, !session.isLocked() {
              try driver.wake(session)
            } else if let secret = try secrets.load(), try vault.exists() {
              try driver.wake(vault.backgroundRunner(deviceSecret: secret))
            }
            wakeProblem = driver.lastError
          } catch {
            wakeProblem = FormMessage.from(error)
          }
          composer.presentNext()
        },
        blocked: {
          scheduler.schedule(
            NotificationRequest(
              id: "vigil.protected-data", fireAt: Date(), kind: .notice,
              titleKey: "notice_title", body: "protected_data_unavailable", bodyIsKey: true,
              timeSensitive: true))
        })
    }

    /// Where a pasted watch message goes: the open session, or the locked runner (a
    /// message may come while the vault is locked).
    func watchSource() throws -> EscalationSource? {
      if let session, !session.isLocked() { return session }
      guard let secret = try secrets.load(), try vault.exists() else { return nil }
      return try vault.backgroundRunner(deviceSecret: secret)
    }

    /// After `cleanup.erase()` (panic wipe, unlock limit): nothing of the vault stays on
    /// screen.
    func wiped(refresh: Bool = true) {
      session = nil
      // The "did the call get through?" question goes with the call it was about: the
      // composer forgets it (and whatever else it held), so it cannot block every later
      // message. Also run by the clean-up; again here for a path that did not.
      callToConfirm = nil
      composer.dropAll()
      watchAlerts = []
      showWatches = false
      if refresh { unlock.model.refresh() }
    }

    func exportURL() -> URL {
      FileManager.default.temporaryDirectory.appendingPathComponent("vigil-backup.age")
    }
  }
#endif
