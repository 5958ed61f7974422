#if canImport(UIKit)
  import SwiftUI
  import UserNotifications
  import VigilKit

  @main
  struct VigilApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate
    @Environment(\.scenePhase) private var phase

    var body: some Scene {
      WindowGroup {
        RootView()
          .environmentObject(delegate.model)
          // Not active (app switcher, Control Center, a call coming in): a plain cover
          // over the app's screens, so the snapshot iOS takes for the app switcher (and
          // keeps on disk) shows none of them. Sheets presented above (the booking
          // editor, the composer, a share sheet, the alarm screen) are not covered.
          .overlay {
            if phase != .active { PrivacyCover() }
          }
      }
      // Leaving the app does not lock the vault yet (the core's idle lock does): locking
      // here would tear down a panic wipe's countdown and an open composer (see
      // docs/threat-model.md, "On an iPhone").
      .onChange(of: phase) { _, phase in
        if phase == .active { delegate.model.wake() }
      }
    }
  }

  /// What the app switcher shows of Vigil: the system background and nothing else (no
  /// name or icon either, which the camouflage may have changed).
  struct PrivacyCover: View {
    var body: some View {
      Color(uiColor: .systemBackground).ignoresSafeArea()
    }
  }

  /// Launch-time registration (background task, notification delegate) and notification
  /// taps: each brings the app forward and ticks the core.
  final class AppDelegate: NSObject, UIApplicationDelegate, UNUserNotificationCenterDelegate {
    let model = AppModel()

    func application(
      _ application: UIApplication,
      didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil
    ) -> Bool {
      UNUserNotificationCenter.current().delegate = self
      model.start()
      BackgroundRefresh.register { [model] in
        DispatchQueue.main.sync { model.wake() }
      }
      return true
    }

    func userNotificationCenter(
      _ center: UNUserNotificationCenter, didReceive response: UNNotificationResponse,
      withCompletionHandler completionHandler: @escaping () -> Void
    ) {
      if response.notification.request.content.userInfo["watchId"] != nil {
        model.showWatches = true
      }
      model.wake()
      completionHandler()
    }

    func userNotificationCenter(
      _ center: UNUserNotificationCenter, willPresent notification: UNNotification,
      withCompletionHandler completionHandler:
        @escaping (UNNotificationPresentationOptions) -> Void
    ) {
      // In the foreground the wake-up itself is the tick; notices still show.
      model.wake()
      completionHandler([.banner, .sound])
    }
  }
#endif
