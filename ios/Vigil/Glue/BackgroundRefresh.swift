#if canImport(UIKit)
  import BackgroundTasks
  import UIKit
  import VigilCore
  import VigilKit

  /// `BGAppRefreshTask`: a second chance to tick the core while the app is closed. iOS runs
  /// it when it chooses (often late, never guaranteed), so the time-sensitive notifications
  /// remain the main path; this catches what they miss (a duress alert, which has none).
  /// `model.wake()` runs the driver, which calls `tick` and `watchTick` alike: a watch held
  /// for a paired worker raises its alarm here too.
  enum BackgroundRefresh {
    static let identifier = "app.vigil.checkin-refresh"

    /// Registered at launch (before the app finishes launching).
    static func register(run: @escaping () -> Void) {
      BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
        task.expirationHandler = { task.setTaskCompleted(success: false) }
        run()
        task.setTaskCompleted(success: true)
      }
    }

    /// After every reschedule: ask to run at the core's next wake-up (nil: nothing armed).
    static func submit(at date: Date?) {
      BGTaskScheduler.shared.cancel(taskRequestWithIdentifier: identifier)
      guard let date else { return }
      let request = BGAppRefreshTaskRequest(identifier: identifier)
      request.earliestBeginDate = date
      try? BGTaskScheduler.shared.submit(request)
    }
  }

  /// Before the first unlock since boot the vault file and the Keychain item are still
  /// encrypted by iOS (`isProtectedDataAvailable` is false): an alarm that fires then cannot
  /// open anything. It says so in a notification, and the tick runs as soon as the data
  /// becomes available.
  final class ProtectedDataGate {
    private var waiting: [() -> Void] = []
    private var observer: NSObjectProtocol?

    init() {
      observer = NotificationCenter.default.addObserver(
        forName: UIApplication.protectedDataDidBecomeAvailableNotification, object: nil,
        queue: .main
      ) { [weak self] _ in self?.drain() }
    }

    /// Runs `work` now if the data is readable, else once it becomes readable; `blocked`
    /// is told when it has to wait.
    func whenAvailable(_ work: @escaping () -> Void, blocked: () -> Void) {
      if UIApplication.shared.isProtectedDataAvailable {
        work()
      } else {
        waiting.append(work)
        blocked()
      }
    }

    private func drain() {
      let work = waiting
      waiting = []
      work.forEach { $0() }
    }
  }
#endif
