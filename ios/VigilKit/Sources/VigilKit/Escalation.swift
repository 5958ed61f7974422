import Foundation
import VigilCore

/// A live check-in as every screen shows it, from the unlocked session or the locked runner
/// (which gives no names, numbers, booking or place).
public struct CheckinRow: Equatable, Sendable {
  public let id: String
  public let phase: CheckinPhase
  public let deadline: Date
  public let escalatesAt: Date
  public let buddiesAlerted: UInt32
  public let acknowledged: Bool
}

/// What both the unlocked `Session` and the locked `BackgroundRunner` do for check-ins: the
/// shell drives either the same way (docs/bindings.md, "How a shell drives the check-in
/// timer").
public protocol EscalationSource: AnyObject {
  func tick(now: Date) throws -> [Action]
  func nextWakeup() throws -> Date?
  func reportOutcome(action: ActionId, outcome: Outcome, now: Date) throws
  func checkIn(code: String, now: Date) throws -> CheckInReceipt
  /// The live check-ins and how many stored ones could not be read.
  func rows() throws -> (rows: [CheckinRow], unreadable: Int)
  // "Watch over me" (docs/checkin.md): the same loop, the same wake-ups, locked or not.
  func watchTick(now: Date) throws -> [WatchAction]
  /// A pasted watch message (iOS apps cannot read SMS): accepted, or refused with the
  /// core's reason (`WatchRefusal`), which changed nothing else.
  func receiveWatch(text: String, now: Date) throws -> WatchReceipt
  func heldWatches() throws -> [HeldWatch]
  /// When each held watch needs the phone awake, no names: wake-ups are booked from this,
  /// because in a decoy `heldWatches` lists only the decoy's own while the phone's real
  /// watches must still ring.
  func heldWatchTimes() throws -> [HeldWatchTimes]
  func acknowledgeWatch(watchId: String, now: Date) throws
  /// The worker's watched check-ins, each buddy's last message sent or not, kept by the
  /// core (so it outlives this process, locked or not): where a SAFE is still to send.
  func sentWatches() throws -> [SentWatch]
}

extension EscalationSource {
  /// For sources without the core's call (test doubles): the same times from the list.
  public func heldWatchTimes() throws -> [HeldWatchTimes] {
    try heldWatches().map {
      HeldWatchTimes(
        watchId: $0.id, phase: $0.phase, deadline: $0.terms?.deadline, alarmDue: $0.alarmDue)
    }
  }
}

extension Session: EscalationSource {
  public func rows() throws -> (rows: [CheckinRow], unreadable: Int) {
    let listing = try listCheckins()
    let rows = listing.checkins.map {
      CheckinRow(
        id: $0.id, phase: $0.phase, deadline: $0.deadline, escalatesAt: $0.escalatesAt,
        buddiesAlerted: $0.buddiesAlerted, acknowledged: $0.acknowledged)
    }
    return (rows, listing.unreadableIds.count)
  }
}

extension BackgroundRunner: EscalationSource {
  public func rows() throws -> (rows: [CheckinRow], unreadable: Int) {
    let listing = try list()
    let rows = listing.checkins.map {
      CheckinRow(
        id: $0.id, phase: $0.phase, deadline: $0.deadline, escalatesAt: $0.escalatesAt,
        buddiesAlerted: $0.buddiesAlerted, acknowledged: $0.acknowledged)
    }
    return (rows, listing.unreadableIds.count)
  }
}

extension ActionId {
  /// `checkin:seq`, the key of one message on one channel (the same on every retry).
  public var key: String { "\(checkin):\(seq)" }
}

/// Runs the check-in timer for the shell: ticks the core, turns each action into a
/// notification, a composer / call request or an outcome, reports outcomes only once they
/// are known, and keeps the wake-up notifications in step with the core's `nextWakeup`.
/// No rule lives here: what is due, to whom, with what text, is the core's.
public final class EscalationDriver {
  /// Prefix of every wake-up notification id (replaced as a set on each reschedule).
  public static let wakePrefix = "vigil.wake."
  public static let noticePrefix = "vigil.notice."
  public static let escalationPrefix = "vigil.escalation."
  /// Reported for a duress message: iOS shows every message it sends, so none can be
  /// sent without a trace; the core then tries the buddy's next channel or gives up
  /// silently (it never tells the worker about a discreet failure).
  public static let silentSendImpossible = "iOS cannot send a message without showing it"

  /// A watch alert on the buddy's phone (`<prefix><watch id>.<step>`).
  public static let watchPrefix = "vigil.watch."
  /// "Your buddy's phone does not know you are safe": a SAFE (or DURESS-SAFE, the same on
  /// this phone) whose composer closed unsent, or found unsent by a running process. One
  /// notification (`safeNotSentId`), shown while the core says any SAFE is unsent and
  /// unconfirmed: a fixed id, so that a new process can take down what an earlier one left
  /// although the pairing was removed or the check-in pruned since (iOS lists delivered
  /// notifications only by asking for them all).
  public static let safeNotSentPrefix = "vigil.safe-not-sent."
  public static let safeNotSentId = safeNotSentPrefix + "any"

  static let roundsPerWake = 8

  private let scheduler: NotificationScheduler
  private let composer: MessageComposer
  private let now: () -> Date
  /// Ids whose composer is still open: a repeated id is not presented twice.
  public private(set) var inFlight: Set<String> = []
  /// The ids among them that tell a paired phone she is safe, with that phone's pairing id.
  private var safeInFlight: [String: String] = [:]
  /// Which SAFEs are unsent is the core's (`sentWatches`, kept in the device-bound state:
  /// it survives a restart and works locked). This process only remembers, per pairing id,
  /// that one of its SAFE composers closed unsent (so the reminder shows although another
  /// SAFE to that buddy is open) and whether the reminder may be up (so a wake does not
  /// alert again).
  private var safeClosedUnsent: Set<String> = []
  /// Whether the reminder may be up (put up here, or by an earlier process).
  private var safeReminded = false
  /// Whether this process has compared the reminder with the core once (one left by an
  /// earlier process is taken down then if nothing is unsent any more, and kept without
  /// alerting again if something is).
  private var safeRemindersChecked = false
  /// The last failure of a core call made after the composer closed.
  public private(set) var lastError: FormMessage?
  /// Told the next wake-up after each reschedule (the app submits a `BGAppRefreshTask`).
  public var onNextWakeup: ((Date?) -> Void)?
  /// The buddy's side: the notices of the watches she holds (reminder, alarm, next steps,
  /// all-clear), for the alarm screen, until she acknowledges the watch.
  public private(set) var watchAlerts: [WatchAlert] = [] {
    didSet { if watchAlerts != oldValue { onWatchAlerts?(watchAlerts) } }
  }
  /// Told when `watchAlerts` changes (the app brings up the alarm screen).
  public var onWatchAlerts: (([WatchAlert]) -> Void)?
  /// Where a composer's or call's outcome goes when the source that asked for it refuses
  /// it (the session locked while the composer or the call was open: the core locks an
  /// idle session): the locked runner, which keeps the same escalation state. Without it
  /// a message that left would stay "issued", time out and be sent again.
  public var fallbackSource: (() throws -> EscalationSource?)?

  public init(
    scheduler: NotificationScheduler, composer: MessageComposer, now: @escaping () -> Date
  ) {
    self.scheduler = scheduler
    self.composer = composer
    self.now = now
  }

  /// On every alarm, app start and foreground: tick, perform, reschedule.
  @discardableResult
  public func wake(_ source: EscalationSource) throws -> [Action] {
    let at = now()
    var actions: [Action] = []
    // What is due now may make more due now (a failure moves to the next channel at
    // once): tick until the core's next wake-up is in the future, a few rounds at most.
    // The watch loop (messages to paired phones, alarms held for others) goes with it.
    for _ in 0..<Self.roundsPerWake {
      let due = try source.tick(now: at)
      for action in due {
        try perform(action, source: source, at: at)
      }
      let watchDue = try source.watchTick(now: at)
      for action in watchDue {
        try perform(watch: action, source: source, at: at)
      }
      actions += due
      guard let next = try source.nextWakeup(), next <= at, !(due.isEmpty && watchDue.isEmpty)
      else { break }
    }
    try reschedule(source)
    return actions
  }

  /// Schedules a time-sensitive notification at `nextWakeup` and at each live check-in's
  /// deadline and escalation time and each held watch's deadline and alarm time still
  /// ahead, and nothing else: the app may not run between them, so each has to be in place
  /// already (on the buddy's phone the alarm time's notification is the alarm when the app
  /// is not running).
  public func reschedule(_ source: EscalationSource) throws {
    let next = try source.nextWakeup()
    let rows = try source.rows().rows
    let watches = WatchRow.from(times: try source.heldWatchTimes())
    let wakes = Schedule.wakeTimes(nextWakeup: next, checkins: rows, watches: watches, now: now())
    scheduler.replace(
      prefix: Self.wakePrefix,
      with: wakes.map { wake in
        NotificationRequest(
          id: Self.wakePrefix + wake.id, fireAt: wake.at, kind: .wake,
          titleKey: wake.titleKey, body: wake.bodyKey, bodyIsKey: true, timeSensitive: true,
          alarmSound: wake.alarm)
      })
    onNextWakeup?(next)
    syncSafeNotSent(source)
  }

  /// The buddy has seen a watch's alarm (`acknowledgeWatch` done): its alert goes.
  public func dismissWatchAlert(_ watchId: String) {
    watchAlerts.removeAll { $0.watchId == watchId }
    // By their known ids, at once (pending and delivered): nothing is re-added under them.
    scheduler.cancel(ids: WatchAlert.notificationIds(watchId: watchId))
  }

  private func perform(_ action: Action, source: EscalationSource, at: Date) throws {
    switch action.kind {
    case .notifyWorker(_, let text):
      notice(action, text: text, at: at)
      try source.reportOutcome(action: action.id, outcome: .sent, now: at)
    case .workerAlertFailed(_, _, _, _, _, _, let text):
      notice(action, text: text, at: at)
      try source.reportOutcome(action: action.id, outcome: .sent, now: at)
    case .messageBuddy(_, let name, let phone, let channel, _, _, let text, let discreet):
      if discreet {
        try source.reportOutcome(
          action: action.id, outcome: .failed(reason: Self.silentSendImpossible), now: at)
        return
      }
      let key = action.id.key
      // Still open from an earlier tick: keep that one, its outcome answers this id too.
      guard !inFlight.contains(key) else { return }
      inFlight.insert(key)
      let request = OutgoingRequest(
        actionId: key, via: OutgoingRequest.Via(channel), recipients: [phone], buddyName: name,
        body: text)
      // A notification first: the app may be in the background, and the composer only
      // opens when the worker brings it forward. It names nobody (lock screen).
      scheduler.schedule(
        NotificationRequest(
          id: Self.escalationPrefix + key, fireAt: at, kind: .escalation(actionId: key),
          titleKey: "escalating_title", body: "escalation_notification_body",
          bodyIsKey: true, timeSensitive: true))
      let id = action.id
      // The source is held until the composer closes: the app makes a runner for one wake
      // and lets it go, and the outcome must still reach the core.
      composer.present(request) { [weak self] result in
        self?.finish(id: id, result: result, source: source)
      }
    }
  }

  /// A watch action: a message to a paired phone goes through the composer like a buddy
  /// alert (its text is opaque, `VGL1:...`, the same shape for every kind); a notice for a
  /// watch this phone holds becomes a time-sensitive notification that names nobody.
  private func perform(watch action: WatchAction, source: EscalationSource, at: Date) throws {
    switch action.kind {
    case .sendMessage(let pairingId, let name, let phone, let channel, let kind, let text):
      let key = action.id.key
      guard !inFlight.contains(key) else { return }
      inFlight.insert(key)
      // SAFE and DURESS-SAFE alike (the core already names both SAFE on this phone).
      if kind == .safe || kind == .duressSafe { safeInFlight[key] = pairingId }
      let request = OutgoingRequest(
        actionId: key, via: OutgoingRequest.Via(channel), recipients: phone.map { [$0] } ?? [],
        buddyName: name, body: text)
      // The same notification for every kind (WATCH, EXTEND, SAFE and DURESS-SAFE alike).
      scheduler.schedule(
        NotificationRequest(
          id: Self.escalationPrefix + key, fireAt: at, kind: .escalation(actionId: key),
          titleKey: "notice_title", body: "watch_send_body", bodyIsKey: true,
          timeSensitive: true))
      let id = action.id
      composer.present(request) { [weak self] result in
        self?.finish(id: id, result: result, source: source)
      }
    case .notifyBuddy(
      let watchId, let notice, let workerName, let workerPhone, _, let duress, let text):
      let alert = WatchAlert(
        watchId: watchId, notice: notice, workerName: workerName, workerPhone: workerPhone,
        duress: duress, text: text, at: at)
      // One alert per step: an alarm step replaces the reminder, the all-clear replaces
      // every step (a DURESS-SAFE brings the alarm and the emergency call at once).
      watchAlerts.removeAll {
        $0.watchId == watchId
          && ($0.notice == notice || (alert.isAlarm && $0.notice == .reminder)
            || notice == .safeAfterAlarm)
      }
      watchAlerts.append(alert)
      scheduler.schedule(
        NotificationRequest(
          id: alert.notificationId, fireAt: at, kind: .watchAlert(watchId: watchId),
          titleKey: "watch_title", body: alert.bodyKey, bodyIsKey: true, timeSensitive: true,
          alarmSound: alert.isAlarm))
      try source.reportOutcome(action: action.id, outcome: .sent, now: at)
    }
  }

  private func notice(_ action: Action, text: String, at: Date) {
    scheduler.schedule(
      NotificationRequest(
        id: Self.noticePrefix + action.id.key, fireAt: at, kind: .notice,
        titleKey: "notice_title", body: text, bodyIsKey: false, timeSensitive: true))
  }

  /// The composer closed: only now is the outcome known and reported.
  private func finish(id: ActionId, result: ComposerResult, source: EscalationSource) {
    inFlight.remove(id.key)
    scheduler.cancel(ids: [Self.escalationPrefix + id.key])
    if let pairing = safeInFlight.removeValue(forKey: id.key), result != .sent {
      // Said at once (again, also when a reminder is already up), before any core call:
      // the source may fail now (the session locked while the composer was open), and the
      // buddy's phone counts down meanwhile. The next sync that reads the core takes it
      // down if nothing is unsent.
      safeClosedUnsent.insert(pairing)
      remindSafeNotSent()
    }
    let outcome: Outcome
    switch result {
    case .sent: outcome = .sent
    case .cancelled: outcome = .failed(reason: "message composer cancelled")
    case .failed: outcome = .failed(reason: "message composer failed")
    }
    do {
      let reported = try report(id, outcome, to: source)
      try reschedule(reported)
      lastError = nil
    } catch {
      lastError = FormMessage.from(error)
      syncSafeNotSent(source)
    }
  }

  /// Reports `outcome` to `source`, or, if it refuses, to `fallbackSource` (another
  /// object: the locked runner). Returns the source that took it; the first error if
  /// neither did.
  private func report(_ id: ActionId, _ outcome: Outcome, to source: EscalationSource) throws
    -> EscalationSource
  {
    do {
      try source.reportOutcome(action: id, outcome: outcome, now: now())
      return source
    } catch {
      guard let fallback = try? fallbackSource?(), fallback !== source else { throw error }
      try fallback.reportOutcome(action: id, outcome: outcome, now: now())
      return fallback
    }
  }

  /// A SAFE not sent leaves the buddy's phone counting down to an alarm: a notification
  /// says so until it is sent or the buddy's phone confirmed it (the core retries and
  /// resends it). What is unsent is read from the core at every reschedule, not kept here:
  /// after a restart (a new driver, a new runner) the SAFEs still to send are known all the
  /// same, and one sent does not take the reminder down while another is unsent. A SAFE
  /// whose composer is open now adds none until it closes unsent. The first sync of a
  /// process does not alert again for what an earlier process already said (each cold
  /// start would re-fire it, also for a SAFE the core no longer offers after its last
  /// resend); a SAFE still offered comes back with its composer. It names nobody and reads
  /// the same after a duress check-in. A failing core call changes nothing (the next wake
  /// tries).
  private func syncSafeNotSent(_ source: EscalationSource) {
    guard let watches = try? source.sentWatches() else { return }
    var known: Set<String> = []
    var unsent: Set<String> = []
    for watch in watches {
      for buddy in watch.buddies {
        guard let pairing = buddy.pairingId else { continue }
        known.insert(pairing)
        if (buddy.last == .safe || buddy.last == .duressSafe) && !buddy.sent && !buddy.confirmed {
          unsent.insert(pairing)
        }
      }
    }
    let first = !safeRemindersChecked
    safeRemindersChecked = true
    safeClosedUnsent.formIntersection(unsent)
    if unsent.isEmpty {
      if safeReminded || first {
        // Also the per-buddy ids the version before this one used.
        let legacy = first ? known.map { Self.safeNotSentPrefix + $0 } : []
        scheduler.cancel(ids: [Self.safeNotSentId] + legacy.sorted())
      }
      safeReminded = false
      return
    }
    if safeReminded { return }
    if first {
      // An earlier process said it (or its composer comes back): kept, not alerted again.
      safeReminded = true
      return
    }
    let open = Set(safeInFlight.values)
    if unsent.contains(where: { safeClosedUnsent.contains($0) || !open.contains($0) }) {
      remindSafeNotSent()
    }
  }

  private func remindSafeNotSent() {
    safeReminded = true
    scheduler.schedule(
      NotificationRequest(
        id: Self.safeNotSentId, fireAt: now(), kind: .notice, titleKey: "watch_title",
        body: "watch_safe_not_sent_body", bodyIsKey: true, timeSensitive: true))
  }

  /// The vault was wiped (`WipeCleanup`): what this process still holds of it goes (the
  /// unsent SAFEs' texts, the alerts with a name and a place). A composer still open
  /// reports into a vault that is gone, which fails harmlessly.
  public func forget() {
    inFlight = []
    safeInFlight = [:]
    safeClosedUnsent = []
    safeReminded = false
    safeRemindersChecked = false
    watchAlerts = []
    lastError = nil
  }
}

extension OutgoingRequest.Via {
  init(_ channel: Channel) {
    switch channel {
    case .sms: self = .sms
    case .call: self = .call
    case .otherApp: self = .otherApp
    }
  }
}

/// A watch's latest notice on the buddy's phone: what the alarm screen shows (the core's
/// text, with the place and the client) and the lock screen does not.
public struct WatchAlert: Equatable, Sendable {
  public let watchId: String
  public let notice: WatchNotice
  public let workerName: String
  public let workerPhone: String?
  /// She checked in with her duress code: do not call her openly.
  public let duress: Bool
  /// The core's words, in full (address, map link, client, contact, what to do).
  public let text: String
  public let at: Date

  /// The notification's body (a string key): says what to do, names nobody.
  public var bodyKey: String { Self.bodyKey(notice) }

  static func bodyKey(_ notice: WatchNotice) -> String {
    switch notice {
    case .reminder: return "watch_reminder_body"
    case .alarm: return "watch_alarm_body"
    case .callWorker: return "watch_call_worker_body"
    case .callEmergency: return "watch_call_emergency_body"
    case .safeAfterAlarm: return "watch_safe_body"
    }
  }

  /// One notification per watch and step (the alarm and the call to her come together).
  public var notificationId: String { Self.notificationId(watchId: watchId, bodyKey: bodyKey) }

  static func notificationId(watchId: String, bodyKey: String) -> String {
    "\(EscalationDriver.watchPrefix)\(watchId).\(bodyKey)"
  }

  /// Every step's notification id for one watch.
  static func notificationIds(watchId: String) -> [String] {
    [WatchNotice.reminder, .alarm, .callWorker, .callEmergency, .safeAfterAlarm].map {
      notificationId(watchId: watchId, bodyKey: bodyKey($0))
    }
  }

  /// An alarm step (not the reminder, not the all-clear): the alarm screen comes up.
  public var isAlarm: Bool {
    notice == .alarm || notice == .callWorker || notice == .callEmergency
  }
}
