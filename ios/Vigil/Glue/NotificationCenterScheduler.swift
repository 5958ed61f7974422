#if canImport(UIKit)
  import Foundation
  import UserNotifications
  import VigilKit

  /// `UNUserNotificationCenter` behind VigilKit's scheduler: time-sensitive notifications
  /// (they break through Focus; the entitlement is in project.yml) at each of the core's
  /// wake-ups. A notification cannot run code: it brings the worker back to the app, which
  /// then ticks the core (docs in ios/README.md).
  final class NotificationCenterScheduler: NotificationScheduler, PendingNotificationCenter {
    static let escalationCategory = "vigil.escalation"
    /// A watch's alarm on the buddy's phone: a siren (Resources/vigil-alarm.wav, 20 s,
    /// ios/scripts/alarm-sound.py), not a message's chime. It sounds unless the phone is on
    /// silent; breaking through silent mode needs Apple's critical-alerts entitlement.
    static let alarmSound = UNNotificationSound(named: UNNotificationSoundName("vigil-alarm.wav"))
    private let center = UNUserNotificationCenter.current()
    /// `replace`'s bookkeeping (VigilKit, tested there against a center that answers late).
    private lazy var pendingSet = PendingSet(center: self)

    /// Asked when a check-in starts. Time-sensitive delivery comes from the entitlement
    /// (project.yml), not from an authorization option.
    func requestAuthorization(_ done: @escaping (Bool) -> Void) {
      center.requestAuthorization(options: [.alert, .sound, .badge]) {
        granted, _ in
        DispatchQueue.main.async { done(granted) }
      }
    }

    func schedule(_ request: NotificationRequest) { add(request) }

    func add(_ request: NotificationRequest) {
      let content = UNMutableNotificationContent()
      content.title = request.title
      content.body = request.bodyText
      content.sound = request.alarmSound ? Self.alarmSound : .default
      content.interruptionLevel = request.timeSensitive ? .timeSensitive : .active
      if case .escalation(let actionId) = request.kind {
        content.categoryIdentifier = Self.escalationCategory
        content.userInfo = ["actionId": actionId]
      }
      if case .watchAlert(let watchId) = request.kind {
        // A tap opens the watches held (the alarm screen), even after a relaunch.
        content.userInfo = ["watchId": watchId]
      }
      let seconds = request.fireAt.timeIntervalSinceNow
      // Due now (or late): at once; the trigger needs a positive interval.
      let trigger = UNTimeIntervalNotificationTrigger(
        timeInterval: max(1, seconds), repeats: false)
      center.add(UNNotificationRequest(identifier: request.id, content: content, trigger: trigger))
    }

    func cancel(ids: [String]) {
      center.removePendingNotificationRequests(withIdentifiers: ids)
      center.removeDeliveredNotifications(withIdentifiers: ids)
    }

    func replace(prefix: String, with requests: [NotificationRequest]) {
      pendingSet.replace(prefix: prefix, with: requests)
    }

    func removePending(ids: [String]) {
      center.removePendingNotificationRequests(withIdentifiers: ids)
    }

    func pendingIds(_ done: @escaping ([String]) -> Void) {
      center.getPendingNotificationRequests { requests in done(requests.map(\.identifier)) }
    }

    func cancelAll() {
      pendingSet.forget()
      center.removeAllPendingNotificationRequests()
      center.removeAllDeliveredNotifications()
    }
  }
#endif
