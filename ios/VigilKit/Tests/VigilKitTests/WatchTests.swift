import Foundation
import VigilCore
import XCTest

@testable import VigilKit

/// "Watch over me" through the iOS shell, two vaults in one test: the worker's phone sends
/// opaque messages through the composer, the buddy's phone takes them pasted and holds the
/// deadline. Everything against the real core.
final class WatchTests: XCTestCase {
  /// One phone: its vault, its notifications, its composer and its driver, on one clock
  /// shared by both phones.
  final class Phone {
    let fixture: Fixture
    let session: Session
    let scheduler = RecordingScheduler()
    let composer = HeldComposer()
    let driver: EscalationDriver

    init(_ fixture: Fixture, _ session: Session, clock: TestClock) {
      self.fixture = fixture
      self.session = session
      driver = EscalationDriver(scheduler: scheduler, composer: composer, now: { clock.now })
    }

    var secret: Data { fixture.secrets.secret ?? Data() }
  }

  struct Pair {
    let clock: TestClock
    let worker: Phone
    let ana: Phone
    let buddy: Buddy
    let booking: Booking
    let checkin: CheckinViewModel
  }

  /// Mia's phone (Ana as buddy, codes, a booking at 12 Example Street) and Ana's phone,
  /// paired through the pairing screens with the six digits compared; Mia's pairing is
  /// linked to her buddy Ana (so Ana's phone watches her check-ins).
  private func paired() throws -> Pair {
    let wf = try Fixture(self)
    let (ws, buddy, booking) = try wf.withBuddyAndBooking()
    let af = try Fixture(self)
    let anaSession = try af.created()
    let clock = wf.clock
    let worker = Phone(wf, ws, clock: clock)
    let ana = Phone(af, anaSession, clock: clock)

    let mine = PairingViewModel(session: ws, now: { clock.now })
    let hers = PairingViewModel(session: anaSession, now: { clock.now })
    mine.form.ownName = "Mia"
    mine.showOwnCode()
    hers.form.ownName = "Ana"
    hers.showOwnCode()
    mine.form.code = try XCTUnwrap(hers.state.ownCode)
    hers.form.code = try XCTUnwrap(mine.state.ownCode)
    XCTAssertTrue(mine.form.code.hasPrefix("VGP1:"))
    let onMine = try XCTUnwrap(mine.preview(), "\(String(describing: mine.state.message))")
    let onHers = try XCTUnwrap(hers.preview())
    XCTAssertEqual(onMine.name, "Ana")
    XCTAssertEqual(onHers.name, "Mia")
    XCTAssertEqual(onMine.sas, onHers.sas, "both screens show the same digits")
    XCTAssertEqual(onMine.sas.filter(\.isNumber).count, 6)
    mine.choose(buddy: buddy)
    XCTAssertEqual(mine.form.phone, buddy.phone)
    mine.form.sas = onHers.sas
    let saved = try XCTUnwrap(mine.save(), "\(String(describing: mine.state.message))")
    XCTAssertEqual(saved.buddyId, buddy.id)
    XCTAssertEqual(mine.state.pairings.map(\.id), [saved.id])
    XCTAssertEqual(mine.form.code, "", "the form empties once saved")
    hers.form.sas = onMine.sas
    hers.form.phone = "07700 900123"
    XCTAssertNotNil(hers.save(), "\(String(describing: hers.state.message))")

    let checkin = CheckinViewModel(session: ws, driver: worker.driver, now: { clock.now })
    return Pair(
      clock: clock, worker: worker, ana: ana, buddy: buddy, booking: booking, checkin: checkin)
  }

  /// Starts a check-in with Ana (deadline in 60 min, the core's 10 min grace) and sends the
  /// WATCH from the composer; returns the composer's request.
  private func startWatched(_ p: Pair) throws -> OutgoingRequest {
    p.checkin.form.deadline = p.clock.at(minutes: 60)
    p.checkin.form.buddyIds = [p.buddy.id]
    p.checkin.form.bookingId = p.booking.id
    XCTAssertNotNil(p.checkin.start(), "\(String(describing: p.checkin.state.message))")
    // The WATCH is in the composer at once, opaque, to Ana's number.
    let watch = try XCTUnwrap(p.worker.composer.presented.last)
    XCTAssertEqual(p.worker.composer.presented.count, 1)
    p.worker.composer.answer(watch.actionId, .sent)
    XCTAssertNil(p.worker.driver.lastError)
    return watch
  }

  /// Mia's watched check-in (the WATCH sent), then her check-in at 30 minutes: the SAFE's
  /// composer is open (the second one presented).
  private func checkedInWithTheSafeOpen() throws -> (Pair, OutgoingRequest) {
    let p = try paired()
    _ = try startWatched(p)
    p.clock.now = p.clock.at(minutes: 30)
    p.checkin.form.code = "9876"
    p.checkin.checkIn()
    let safe = try XCTUnwrap(p.worker.composer.presented.last)
    XCTAssertEqual(p.worker.composer.presented.count, 2)
    return (p, safe)
  }

  func testWorkersWatchPastedIntoTheBuddysVaultIsAcceptedAndHerTickAlarmsAfterTheDeadline()
    throws
  {
    let p = try paired()
    let watch = try startWatched(p)
    XCTAssertEqual(watch.via, .sms)
    XCTAssertEqual(watch.recipients, ["+447400123456"])
    XCTAssertEqual(watch.buddyName, "Ana")
    XCTAssertTrue(watch.body.hasPrefix("VGL1:"), watch.body)
    XCTAssertFalse(watch.body.contains("Example"), "the composer shows only the opaque text")
    // Sent only because the composer said so; the worker sees it as not yet confirmed.
    let sentBefore = try p.worker.session.sentWatches()
    XCTAssertEqual(sentBefore.first?.buddies.map(\.sent), [true])
    XCTAssertEqual(sentBefore.first?.buddies.map(\.confirmed), [false])

    // Ana pastes it, her vault locked: the background runner takes it.
    p.ana.session.lock()
    let runner = try p.ana.fixture.vault.backgroundRunner(deviceSecret: p.ana.secret)
    let inbox = WatchInboxViewModel(source: runner, driver: p.ana.driver, now: { p.clock.now })
    let received = try XCTUnwrap(
      inbox.receive(pasted: watch.body + "\n"), "\(String(describing: inbox.state.message))")
    XCTAssertEqual(received.kind, .watch)
    XCTAssertEqual(received.name, "Mia")
    XCTAssertNil(inbox.state.message)
    XCTAssertEqual(inbox.form.text, "")
    let held = try XCTUnwrap(inbox.state.held.first)
    XCTAssertEqual(inbox.state.held.count, 1)
    XCTAssertEqual(held.phase, .watching)
    XCTAssertEqual(held.terms?.address, "12 Example Street")
    XCTAssertEqual(held.terms?.deadline, p.clock.at(minutes: 60))
    let alarmDue = try XCTUnwrap(held.alarmDue)
    XCTAssertEqual(alarmDue, p.clock.at(minutes: 70))
    // The ACK to Mia went to Ana's composer, opaque, to the number she saved for Mia.
    let ack = try XCTUnwrap(p.ana.composer.presented.last)
    XCTAssertEqual(ack.recipients, ["+447700900123"])
    XCTAssertTrue(ack.body.hasPrefix("VGL1:"))
    p.ana.composer.answer(ack.actionId, .sent)
    XCTAssertNil(p.ana.driver.lastError)
    // Her phone is woken at the deadline and at the alarm time even if the app is not
    // running, by notifications that name nobody.
    let wakes = p.ana.scheduler.pending.values.filter { $0.kind == .wake }
    XCTAssertEqual(p.ana.scheduler.wakeTimes, [p.clock.at(minutes: 60), alarmDue])
    XCTAssertTrue(
      wakes.allSatisfy { $0.bodyIsKey && $0.timeSensitive && $0.titleKey == "watch_title" })
    XCTAssertEqual(
      Set(wakes.map(\.body)), ["watch_wake_body", "watch_alarm_due_body"])
    // The alarm time rings with the alarm sound, the deadline with the usual one.
    XCTAssertEqual(
      Set(wakes.map { "\($0.body)|\($0.alarmSound)" }),
      ["watch_wake_body|false", "watch_alarm_due_body|true"])

    // Mia pastes the ACK: her screen now says Ana's phone has it.
    let workerInbox = WatchInboxViewModel(
      source: p.worker.session, driver: p.worker.driver, now: { p.clock.now })
    XCTAssertEqual(workerInbox.receive(pasted: ack.body)?.kind, .ack)
    let pairing = PairingViewModel(session: p.worker.session)
    XCTAssertEqual(pairing.state.sent.first?.buddies.map(\.confirmed), [true])

    // The deadline: a reminder on Ana's phone.
    p.clock.now = p.clock.at(minutes: 60)
    try p.ana.driver.wake(runner)
    XCTAssertEqual(p.ana.driver.watchAlerts.map(\.notice), [.reminder])
    let reminder = try XCTUnwrap(p.ana.driver.watchAlerts.first)
    XCTAssertEqual(p.ana.scheduler.pending[reminder.notificationId]?.alarmSound, false)
    // Deadline + grace, nothing heard: the alarm, time-sensitive, nothing personal on the
    // lock screen; the details (the core's text) only in the app.
    p.clock.now = alarmDue
    try p.ana.driver.wake(runner)
    XCTAssertEqual(p.ana.driver.watchAlerts.map(\.notice), [.alarm, .callWorker])
    let alert = try XCTUnwrap(p.ana.driver.watchAlerts.first)
    XCTAssertTrue(alert.isAlarm)
    XCTAssertFalse(alert.duress)
    XCTAssertEqual(alert.workerName, "Mia")
    XCTAssertTrue(alert.text.contains("12 Example Street"), alert.text)
    let notification = try XCTUnwrap(p.ana.scheduler.pending[alert.notificationId])
    XCTAssertEqual(notification.kind, .watchAlert(watchId: held.id))
    XCTAssertEqual(notification.body, "watch_alarm_body")
    XCTAssertTrue(notification.bodyIsKey && notification.timeSensitive)
    XCTAssertTrue(notification.alarmSound, "the alarm rings, time-sensitive")
    XCTAssertEqual(notification.fireAt, alarmDue)
    for pending in p.ana.scheduler.pending.values {
      XCTAssertTrue(pending.bodyIsKey, "a lock-screen notification carries no core text")
    }
    inbox.reload()
    XCTAssertEqual(inbox.state.held.first?.phase, .alarm)
    XCTAssertEqual(inbox.state.alerts, p.ana.driver.watchAlerts)

    // She acknowledges: the alert goes, and the emergency step 10 minutes later with it.
    inbox.acknowledge(held.id)
    XCTAssertNil(inbox.state.message)
    XCTAssertEqual(inbox.state.alerts, [])
    XCTAssertFalse(
      p.ana.scheduler.pending.keys.contains { $0.hasPrefix(EscalationDriver.watchPrefix) })
    XCTAssertEqual(inbox.state.held.first?.acknowledged, true)
    p.clock.advance(minutes: 15)
    try p.ana.driver.wake(runner)
    XCTAssertEqual(p.ana.driver.watchAlerts, [])
  }

  /// Ana's alarm screen was opened on her unlocked session; the core's idle lock locks it
  /// while the alarm is up. Acknowledging still reaches the core (through the locked
  /// runner), and the alarm's later steps stop.
  func testAnAlarmOpenedOnASessionThatLockedCanStillBeAcknowledged() throws {
    let p = try paired()
    let watch = try startWatched(p)
    let inbox = WatchInboxViewModel(
      source: p.ana.session, driver: p.ana.driver, now: { p.clock.now })
    XCTAssertNotNil(inbox.receive(pasted: watch.body))
    let held = try XCTUnwrap(inbox.state.held.first)
    p.clock.now = try XCTUnwrap(held.alarmDue)
    try p.ana.driver.wake(p.ana.session)
    XCTAssertTrue(p.ana.driver.watchAlerts.contains { $0.isAlarm })
    let runner = try p.ana.fixture.vault.backgroundRunner(deviceSecret: p.ana.secret)
    p.ana.driver.fallbackSource = { runner }
    p.ana.session.lock()
    inbox.acknowledge(held.id)
    XCTAssertNil(inbox.state.message)
    XCTAssertEqual(try runner.heldWatches().first?.acknowledged, true)
    XCTAssertEqual(inbox.state.held.first?.acknowledged, true)
    p.clock.advance(minutes: 15)
    try p.ana.driver.wake(runner)
    XCTAssertEqual(p.ana.driver.watchAlerts, [])
  }

  func testTamperedTextIsRefusedWithTheCoresReasonAndChangesNothing() throws {
    let p = try paired()
    let watch = try startWatched(p)
    let inbox = WatchInboxViewModel(
      source: p.ana.session, driver: p.ana.driver, now: { p.clock.now })

    // One character of the sealed part changed.
    var chars = Array(watch.body)
    let i = chars.count / 2
    chars[i] = chars[i] == "A" ? "B" : "A"
    let tampered = String(chars)
    L10n.use(language: "en")
    defer { L10n.use(language: nil) }
    XCTAssertNil(inbox.receive(pasted: tampered))
    // The core's reason (WatchRefusal), said in the phone's language.
    XCTAssertEqual(inbox.state.message?.message, .refusal(.forged))
    XCTAssertEqual(
      inbox.state.message?.message.text,
      "A Vigil message could not be read: it was altered or forged")
    XCTAssertEqual(inbox.form.text, tampered, "the pasted text is kept")
    XCTAssertEqual(inbox.state.held, [])
    XCTAssertEqual(try p.ana.session.heldWatches(), [])
    XCTAssertEqual(try p.ana.session.nextWakeup(), nil)
    XCTAssertEqual(p.ana.scheduler.pending, [:])
    XCTAssertEqual(p.ana.composer.presented, [], "no ACK for a refused message")

    // Not a Vigil message at all: refused too.
    XCTAssertNil(inbox.receive(pasted: "see you at 9"))
    XCTAssertEqual(inbox.state.message?.message, .refusal(.notAWatchMessage))

    // The genuine text is still accepted afterwards (nothing was used up).
    XCTAssertEqual(inbox.receive(pasted: watch.body)?.kind, .watch)
    XCTAssertEqual(inbox.state.held.count, 1)
    // The same text again is a replay: refused, nothing changes.
    XCTAssertNil(inbox.receive(pasted: watch.body))
    XCTAssertEqual(inbox.state.message?.message, .refusal(.replayed))
    XCTAssertEqual(inbox.state.held.count, 1)
  }

  /// Mia's phone resends its WATCH while no ACK came back (the first was lost). Ana's phone
  /// refuses the copy as a replay, yet the core queues the ACK again: pasting it puts that
  /// ACK in the composer at once, not at the next wake-up (the deadline, an hour away).
  func testAReplayedWatchPastedAgainPutsTheAckInTheComposerAtOnce() throws {
    let p = try paired()
    let watch = try startWatched(p)
    let inbox = WatchInboxViewModel(
      source: p.ana.session, driver: p.ana.driver, now: { p.clock.now })
    XCTAssertEqual(inbox.receive(pasted: watch.body)?.kind, .watch)
    let first = try XCTUnwrap(p.ana.composer.presented.last)
    p.ana.composer.answer(first.actionId, .sent)
    XCTAssertEqual(p.ana.composer.presented.count, 1)

    p.clock.advance(minutes: 5)
    XCTAssertGreaterThan(try XCTUnwrap(p.ana.session.nextWakeup()), p.clock.now)
    XCTAssertNil(inbox.receive(pasted: watch.body))
    XCTAssertEqual(inbox.state.message?.message, .refusal(.replayed))
    XCTAssertEqual(inbox.form.text, watch.body, "a refused text stays")
    XCTAssertEqual(p.ana.composer.presented.count, 2, "the ACK again, at once")
    let again = try XCTUnwrap(p.ana.composer.presented.last)
    XCTAssertEqual(again.recipients, ["+447700900123"])
    // Mia's phone takes it: Ana's phone has her check-in.
    let workerInbox = WatchInboxViewModel(
      source: p.worker.session, driver: p.worker.driver, now: { p.clock.now })
    XCTAssertEqual(workerInbox.receive(pasted: again.body)?.kind, .ack)
    XCTAssertEqual(try p.worker.session.sentWatches().first?.buddies.map(\.confirmed), [true])
    XCTAssertEqual(inbox.state.held.count, 1)
  }

  /// Every reason the core gives has its words, in each of the six languages.
  func testEveryRefusalReasonIsSaidInEveryLanguage() throws {
    let reasons: [WatchRefusal] = [
      .notAWatchMessage, .malformed, .truncated, .newerVersion, .wrongRecipient,
      .unknownSender, .forged, .replayed, .outOfOrder,
    ]
    XCTAssertEqual(Set(reasons.map(\.reasonKey)).count, reasons.count, "one text per reason")
    for language in L10n.languages {
      for reason in reasons {
        XCTAssertTrue(L10n.has(reason.reasonKey, language: language), "\(language) \(reason)")
      }
    }
    L10n.use(language: "es")
    defer { L10n.use(language: nil) }
    XCTAssertEqual(
      FormMessage.refusal(.truncated).text,
      "No se pudo leer un mensaje de Vigil: llegó cortado (falta una parte del SMS)")
  }

  /// A saved pairing's number changed on the pairing screen: read as when pairing, a bad
  /// number shows the core's error and keeps what was typed, blank removes it.
  func testAPairingsNumberIsChangedAndABadOneIsRefused() throws {
    let p = try paired()
    let hers = PairingViewModel(session: p.ana.session, now: { p.clock.now })
    let pairing = try XCTUnwrap(hers.state.pairings.first)
    XCTAssertEqual(hers.phoneField(pairing), "+447700900123")

    hers.form.phones[pairing.id] = "07700 90x"
    XCTAssertNil(hers.changePhone(pairing.id))
    XCTAssertEqual(hers.state.message?.message.kindName, "InvalidInput")
    XCTAssertEqual(hers.state.message?.field, "phone")
    XCTAssertFalse(hers.state.message?.message.text.contains("90x") ?? true, "no number echoed")
    XCTAssertEqual(hers.phoneField(pairing), "07700 90x", "what was typed stays")
    XCTAssertEqual(try p.ana.session.listPairings().first?.phone, "+447700900123")

    hers.form.phones[pairing.id] = "07700 900456"
    XCTAssertEqual(hers.changePhone(pairing.id)?.phone, "+447700900456")
    XCTAssertEqual(hers.state.message?.message, .key("pairing_phone_changed"))
    XCTAssertEqual(hers.state.pairings.first?.phone, "+447700900456")
    let changed = try XCTUnwrap(hers.state.pairings.first)
    XCTAssertEqual(hers.phoneField(changed), "+447700900456")

    hers.form.phones[pairing.id] = "  "
    XCTAssertNotNil(hers.changePhone(pairing.id))
    XCTAssertNil(try p.ana.session.listPairings().first?.phone)
  }

  func testWrongDigitsRefuseToSaveThePairing() throws {
    let wf = try Fixture(self)
    let ws = try wf.created()
    let af = try Fixture(self)
    let anaSession = try af.created()
    let mine = PairingViewModel(session: ws)
    let hers = PairingViewModel(session: anaSession)
    hers.form.ownName = "Ana"
    hers.showOwnCode()
    mine.form.code = try XCTUnwrap(hers.state.ownCode)
    let preview = try XCTUnwrap(mine.preview())
    // One digit off, as a misread screen would be.
    let last = try XCTUnwrap(preview.sas.last?.wholeNumberValue)
    mine.form.sas = String(preview.sas.dropLast()) + String((last + 1) % 10)
    XCTAssertNil(mine.save())
    XCTAssertEqual(mine.state.message?.message.kindName, "InvalidInput")
    XCTAssertEqual(try ws.listPairings(), [])
    XCTAssertEqual(mine.form.code, hers.state.ownCode, "nothing typed is lost")
    // Editing the code drops the digits shown for the old one.
    mine.form.code += " "
    XCTAssertNil(mine.state.preview)
    // Its own code is refused too.
    mine.form.ownName = "Mia"
    mine.showOwnCode()
    mine.form.code = try XCTUnwrap(mine.state.ownCode)
    XCTAssertNil(mine.preview())
    XCTAssertNotNil(mine.state.message)
    // The right digits save it.
    mine.form.code = try XCTUnwrap(hers.state.ownCode)
    mine.form.sas = try XCTUnwrap(mine.preview()).sas
    XCTAssertNotNil(mine.save())
    XCTAssertEqual(try ws.listPairings().count, 1)
  }

  /// The duress code through a watch: the worker's phone shows exactly what the normal code
  /// shows (the same composer, to the same person, a text of the same shape and length, the
  /// same notifications and screen), and the buddy's phone alone learns it was duress.
  func testDuressSafeAndSafeLookAlikeOnTheWorkersPhone() throws {
    struct Seen {
      let state: CheckinViewModel.State
      let requests: [OutgoingRequest]
      let notifications: [String]
      let buddyAlerts: [WatchAlert]
      let held: HeldWatch?
    }
    func checkedIn(with code: String) throws -> Seen {
      let p = try paired()
      let watch = try startWatched(p)
      let inbox = WatchInboxViewModel(
        source: p.ana.session, driver: p.ana.driver, now: { p.clock.now })
      XCTAssertNotNil(inbox.receive(pasted: watch.body))
      p.clock.now = p.clock.at(minutes: 30)
      p.checkin.form.code = code
      p.checkin.checkIn()
      let requests = p.worker.composer.presented
      // What the worker's phone has pending, without the per-message ids.
      let notifications = p.worker.scheduler.pending.values.map {
        "\($0.titleKey)|\($0.body)|\($0.timeSensitive)|\($0.fireAt)"
      }.sorted()
      let safe = try XCTUnwrap(requests.last)
      p.worker.composer.answer(safe.actionId, .sent)
      XCTAssertNotNil(inbox.receive(pasted: safe.body))
      return Seen(
        state: p.checkin.state, requests: requests, notifications: notifications,
        buddyAlerts: p.ana.driver.watchAlerts, held: inbox.state.held.first)
    }
    let normal = try checkedIn(with: "4321")
    let duress = try checkedIn(with: "9876")

    XCTAssertEqual(normal.state, duress.state)
    XCTAssertEqual(normal.state.lastCheckIn, t0.addingTimeInterval(30 * 60))
    XCTAssertEqual(normal.requests.count, 2, "the WATCH, then the SAFE")
    XCTAssertEqual(duress.requests.count, normal.requests.count)
    let (a, b) = (try XCTUnwrap(normal.requests.last), try XCTUnwrap(duress.requests.last))
    XCTAssertEqual(a.via, b.via)
    XCTAssertEqual(a.recipients, b.recipients)
    XCTAssertEqual(a.recipients, ["+447400123456"])
    XCTAssertEqual(a.buddyName, b.buddyName)
    XCTAssertEqual(a.body.count, b.body.count, "the same length on the wire")
    XCTAssertTrue(a.body.hasPrefix("VGL1:") && b.body.hasPrefix("VGL1:"))
    XCTAssertNotEqual(a.body, b.body)
    XCTAssertEqual(normal.notifications, duress.notifications)

    // Ana's phone: the normal SAFE ends the watch quietly; the DURESS-SAFE raises the alarm
    // at once, marked duress, behind the same lock-screen words as any alarm.
    XCTAssertEqual(normal.held?.phase, .safe)
    XCTAssertEqual(normal.buddyAlerts, [])
    XCTAssertEqual(duress.held?.duress, true)
    let alarm = try XCTUnwrap(duress.buddyAlerts.first { $0.notice == .alarm })
    XCTAssertTrue(alarm.duress)
    XCTAssertEqual(alarm.bodyKey, "watch_alarm_body")
  }

  /// A SAFE whose composer was cancelled leaves the buddy's phone counting down to an
  /// alarm: a time-sensitive notification says so, the same after the duress code, until
  /// the core's retry is sent.
  func testSafeNotSentRemindsTheWorkerTheSameAfterDuress() throws {
    func cancelledSafe(with code: String) throws -> [String] {
      let p = try paired()
      _ = try startWatched(p)
      p.clock.now = p.clock.at(minutes: 30)
      p.checkin.form.code = code
      p.checkin.checkIn()
      let safe = try XCTUnwrap(p.worker.composer.presented.last)
      XCTAssertEqual(p.worker.composer.presented.count, 2)
      p.worker.composer.answer(safe.actionId, .cancelled)
      let reminders = p.worker.scheduler.pending.values.filter {
        $0.id.hasPrefix(EscalationDriver.safeNotSentPrefix)
      }
      let reminder = try XCTUnwrap(reminders.first)
      XCTAssertEqual(reminders.count, 1)
      XCTAssertEqual(reminder.body, "watch_safe_not_sent_body")
      XCTAssertTrue(reminder.bodyIsKey && reminder.timeSensitive)
      XCTAssertEqual(reminder.fireAt, p.clock.now)
      let seen = p.worker.scheduler.pending.values.map {
        "\($0.titleKey)|\($0.body)|\($0.timeSensitive)|\($0.alarmSound)|\($0.fireAt)"
      }.sorted()
      // The core retries the SAFE: sent this time, the reminder goes.
      for _ in 0..<60 where p.worker.composer.presented.count == 2 {
        p.clock.advance(minutes: 1)
        p.checkin.wake()
      }
      let retry = try XCTUnwrap(p.worker.composer.presented.last)
      XCTAssertEqual(p.worker.composer.presented.count, 3, "the SAFE again")
      XCTAssertEqual(retry.body, safe.body)
      p.worker.composer.answer(retry.actionId, .sent)
      XCTAssertNil(p.worker.scheduler.pending[reminder.id])
      return seen
    }
    XCTAssertEqual(try cancelledSafe(with: "4321"), try cancelledSafe(with: "9876"))

    // A WATCH not sent is not a SAFE: no such reminder.
    let p = try paired()
    p.checkin.form.deadline = p.clock.at(minutes: 60)
    p.checkin.form.buddyIds = [p.buddy.id]
    XCTAssertNotNil(p.checkin.start())
    let watch = try XCTUnwrap(p.worker.composer.presented.last)
    p.worker.composer.answer(watch.actionId, .cancelled)
    XCTAssertFalse(
      p.worker.scheduler.pending.keys.contains { $0.hasPrefix(EscalationDriver.safeNotSentPrefix) })
  }

  /// Every try of a SAFE cancelled until the core's resend round, which comes under a new
  /// action id: sending that one still clears the reminder (it is kept per buddy).
  func testASafeSentInALaterResendRoundClearsTheReminder() throws {
    let p = try paired()
    _ = try startWatched(p)
    p.clock.now = p.clock.at(minutes: 30)
    p.checkin.form.code = "4321"
    p.checkin.checkIn()
    let first = try XCTUnwrap(p.worker.composer.presented.last)
    let round = { (key: String) in key.split(separator: ":").first.map(String.init) }
    p.worker.composer.answer(first.actionId, .cancelled)
    let reminder = {
      p.worker.scheduler.pending.keys.filter { $0.hasPrefix(EscalationDriver.safeNotSentPrefix) }
    }
    XCTAssertEqual(reminder().count, 1)
    var later: OutgoingRequest?
    for _ in 0..<120 where later == nil {
      p.clock.advance(minutes: 1)
      p.checkin.wake()
      // Every other composer (the SAFE's retries, the WATCH's own resends) is cancelled;
      // answering one already answered does nothing.
      for shown in p.worker.composer.presented {
        if shown.body == first.body && round(shown.actionId) != round(first.actionId) {
          later = shown
        } else {
          p.worker.composer.answer(shown.actionId, .cancelled)
        }
      }
    }
    let resend = try XCTUnwrap(later, "a resend round under a new id within two hours")
    XCTAssertEqual(reminder().count, 1, "still not sent")
    p.worker.composer.answer(resend.actionId, .sent)
    XCTAssertEqual(reminder(), [])
  }

  /// One check-in code ends two check-ins Ana watches: two SAFEs to her phone. The first
  /// cancelled, the second sent: her phone still counts down to the first one's alarm, so
  /// the reminder stays until that SAFE too is sent.
  func testASafeStillUnsentKeepsItsReminderWhenAnotherCheckinsSafeIsSent() throws {
    let p = try paired()
    _ = try startWatched(p)
    p.checkin.form.deadline = p.clock.at(minutes: 90)
    p.checkin.form.buddyIds = [p.buddy.id]
    XCTAssertNotNil(p.checkin.start(), "\(String(describing: p.checkin.state.message))")
    let second = try XCTUnwrap(p.worker.composer.presented.last)
    XCTAssertEqual(p.worker.composer.presented.count, 2)
    p.worker.composer.answer(second.actionId, .sent)
    p.clock.now = p.clock.at(minutes: 30)
    p.checkin.form.code = "4321"
    p.checkin.checkIn()
    let safes = Array(p.worker.composer.presented.dropFirst(2))
    XCTAssertEqual(safes.count, 2, "one SAFE per ended check-in")
    XCTAssertNotEqual(safes[0].body, safes[1].body)
    let reminder = {
      p.worker.scheduler.pending.keys.filter { $0.hasPrefix(EscalationDriver.safeNotSentPrefix) }
    }
    p.worker.composer.answer(safes[0].actionId, .cancelled)
    XCTAssertEqual(reminder().count, 1)
    p.worker.composer.answer(safes[1].actionId, .sent)
    XCTAssertEqual(reminder().count, 1, "the first SAFE is still unsent")
    // The core retries the first: sent, the reminder goes.
    var retry: OutgoingRequest?
    for _ in 0..<60 where retry == nil {
      p.clock.advance(minutes: 1)
      p.checkin.wake()
      retry = p.worker.composer.presented.dropFirst(4).first { $0.body == safes[0].body }
    }
    p.worker.composer.answer(try XCTUnwrap(retry).actionId, .sent)
    XCTAssertEqual(reminder(), [])
  }

  /// The app is killed with two SAFEs to Ana unsent (one code ended both check-ins, both
  /// composers cancelled). After the restart a new driver runs on the locked runner: the
  /// core still offers both SAFEs, and sending one leaves the reminder up while the other
  /// is unsent; sending that one too takes it down. (The shell kept its unsent SAFEs in
  /// memory only: after a restart, any SAFE sent took the reminder down.)
  func testAfterARestartTheUnsentSafeIsStillOfferedAndItsReminderKept() throws {
    let p = try paired()
    _ = try startWatched(p)
    p.checkin.form.deadline = p.clock.at(minutes: 90)
    p.checkin.form.buddyIds = [p.buddy.id]
    XCTAssertNotNil(p.checkin.start(), "\(String(describing: p.checkin.state.message))")
    let second = try XCTUnwrap(p.worker.composer.presented.last)
    p.worker.composer.answer(second.actionId, .sent)
    p.clock.now = p.clock.at(minutes: 30)
    p.checkin.form.code = "9876"  // duress: the same on this phone
    p.checkin.checkIn()
    let safes = Array(p.worker.composer.presented.dropFirst(2))
    XCTAssertEqual(safes.count, 2)
    for safe in safes { p.worker.composer.answer(safe.actionId, .cancelled) }
    let reminder = {
      p.worker.scheduler.pending.keys.filter { $0.hasPrefix(EscalationDriver.safeNotSentPrefix) }
    }
    XCTAssertEqual(reminder().count, 1)
    p.worker.session.lock()

    // The restart: nothing of the old driver is left but the notifications it scheduled.
    let composer = HeldComposer()
    let driver = EscalationDriver(
      scheduler: p.worker.scheduler, composer: composer, now: { p.clock.now })
    let runner = try p.worker.fixture.vault.backgroundRunner(deviceSecret: p.worker.secret)
    let unsent = try runner.sentWatches().flatMap(\.buddies).filter { !$0.sent }
    XCTAssertEqual(unsent.map(\.last), [.safe, .safe], "the core kept both")
    var offered: [OutgoingRequest] = []
    for _ in 0..<10 where offered.count < 2 {
      p.clock.advance(minutes: 1)
      try driver.wake(try p.worker.fixture.vault.backgroundRunner(deviceSecret: p.worker.secret))
      offered = composer.presented.filter { r in safes.contains { $0.body == r.body } }
    }
    XCTAssertEqual(Set(offered.map(\.body)), Set(safes.map(\.body)), "both SAFEs again")
    XCTAssertEqual(reminder().count, 1)
    let (sentNow, later) = (offered[0], offered[1])
    composer.answer(sentNow.actionId, .sent)
    XCTAssertNil(driver.lastError)
    XCTAssertEqual(reminder().count, 1, "the other SAFE is still unsent")
    composer.answer(later.actionId, .sent)
    XCTAssertEqual(reminder(), [])
  }

  /// Mia checks in (the WATCH was sent); the SAFE's composer is open when the session
  /// locks (idle), then she closes it unsent: the report into the locked session fails,
  /// and the reminder is up all the same.
  func testASafeComposerClosedUnsentAfterTheSessionLockedStillReminds() throws {
    let (p, safe) = try checkedInWithTheSafeOpen()
    let reminders = {
      p.worker.scheduler.pending.values.filter {
        $0.id.hasPrefix(EscalationDriver.safeNotSentPrefix)
      }
    }
    XCTAssertEqual(reminders().count, 0)
    p.worker.session.lock()
    p.worker.composer.answer(safe.actionId, .cancelled)
    XCTAssertNotNil(p.worker.driver.lastError, "the locked session refused the report")
    let reminder = try XCTUnwrap(reminders().first)
    XCTAssertEqual(reminder.body, "watch_safe_not_sent_body")
    XCTAssertTrue(reminder.timeSensitive)
  }

  /// Mia checks in; the SAFE's composer is open when the session locks (the core's idle
  /// lock), and she sends it: the outcome reaches the core through the locked
  /// runner, so the SAFE counts as sent (no reminder, not offered again).
  func testASafeSentAfterTheSessionLockedReachesTheCoreThroughTheLockedRunner() throws {
    let (p, safe) = try checkedInWithTheSafeOpen()
    let runner = try p.worker.fixture.vault.backgroundRunner(deviceSecret: p.worker.secret)
    p.worker.driver.fallbackSource = { runner }
    p.worker.session.lock()
    p.worker.composer.answer(safe.actionId, .sent)
    XCTAssertNil(p.worker.driver.lastError)
    XCTAssertEqual(try runner.sentWatches().flatMap(\.buddies).map(\.sent), [true])
    XCTAssertTrue(
      p.worker.scheduler.pending.keys.filter {
        $0.hasPrefix(EscalationDriver.safeNotSentPrefix)
      }.isEmpty)
    // Two minutes on (the core's wait for an outcome), nothing is offered again.
    p.clock.now = p.clock.at(minutes: 33)
    try p.worker.driver.wake(runner)
    XCTAssertEqual(p.worker.composer.presented.count, 2)
  }

  /// A SAFE cancelled in the composer, then its reminder; the app is killed. Each later
  /// start (a new driver on the locked runner) finds it unsent but does not alert again.
  func testAReminderLeftByAnEarlierProcessIsNotAlertedAgainAtEachStart() throws {
    let p = try paired()
    _ = try startWatched(p)
    p.clock.now = p.clock.at(minutes: 30)
    p.checkin.form.code = "4321"
    p.checkin.checkIn()
    let safe = try XCTUnwrap(p.worker.composer.presented.last)
    p.worker.composer.answer(safe.actionId, .cancelled)
    let alerts = {
      p.worker.scheduler.history.filter { $0.id.hasPrefix(EscalationDriver.safeNotSentPrefix) }
        .count
    }
    XCTAssertEqual(alerts(), 1)
    p.worker.session.lock()
    for _ in 0..<3 {
      // A cold start at once (the SAFE's retry is not due yet).
      let driver = EscalationDriver(
        scheduler: p.worker.scheduler, composer: HeldComposer(), now: { p.clock.now })
      try driver.wake(try p.worker.fixture.vault.backgroundRunner(deviceSecret: p.worker.secret))
      XCTAssertNil(driver.lastError)
    }
    XCTAssertEqual(alerts(), 1, "not alerted again")
    XCTAssertEqual(
      p.worker.scheduler.pending.keys.filter { $0.hasPrefix(EscalationDriver.safeNotSentPrefix) }
        .count, 1, "still up")
  }

  /// The SAFE's composer was cancelled, but Ana's phone got the SAFE anyway (Mia sent it
  /// by hand) and its ACK came back: confirmed, so the reminder goes although the core
  /// never saw it sent.
  func testASafeTheBuddysPhoneConfirmedTakesTheReminderDown() throws {
    let p = try paired()
    let watch = try startWatched(p)
    let hers = WatchInboxViewModel(
      source: p.ana.session, driver: p.ana.driver, now: { p.clock.now })
    XCTAssertNotNil(hers.receive(pasted: watch.body))
    p.clock.now = p.clock.at(minutes: 30)
    p.checkin.form.code = "4321"
    p.checkin.checkIn()
    let safe = try XCTUnwrap(p.worker.composer.presented.last)
    p.worker.composer.answer(safe.actionId, .cancelled)
    let reminder = {
      p.worker.scheduler.pending.keys.filter { $0.hasPrefix(EscalationDriver.safeNotSentPrefix) }
    }
    XCTAssertEqual(reminder().count, 1)
    let acks = p.ana.composer.presented.count
    XCTAssertNotNil(hers.receive(pasted: safe.body))
    let ack = try XCTUnwrap(p.ana.composer.presented.dropFirst(acks).last)
    let mine = WatchInboxViewModel(
      source: p.worker.session, driver: p.worker.driver, now: { p.clock.now })
    XCTAssertNotNil(mine.receive(pasted: ack.body))
    let status = try XCTUnwrap(try p.worker.session.sentWatches().first?.buddies.first)
    XCTAssertTrue(status.confirmed && !status.sent)
    XCTAssertEqual(reminder(), [])
  }

  /// A reminder is up when Mia removes the pairing (its SAFE will never go); after a
  /// restart the new driver takes it down, although it knows no pairing any more.
  func testAReminderForARemovedPairingIsTakenDownAtTheNextStart() throws {
    let (p, safe) = try checkedInWithTheSafeOpen()
    p.worker.composer.answer(safe.actionId, .cancelled)
    let reminder = {
      p.worker.scheduler.pending.keys.filter { $0.hasPrefix(EscalationDriver.safeNotSentPrefix) }
    }
    XCTAssertEqual(reminder().count, 1)
    let pairing = try XCTUnwrap(try p.worker.session.listPairings().first)
    try p.worker.session.removePairing(id: pairing.id)
    p.worker.session.lock()
    let driver = EscalationDriver(
      scheduler: p.worker.scheduler, composer: HeldComposer(), now: { p.clock.now })
    p.clock.advance(minutes: 1)
    try driver.wake(try p.worker.fixture.vault.backgroundRunner(deviceSecret: p.worker.secret))
    XCTAssertEqual(reminder(), [])
  }

  /// The notification center lists its pending ids only later. Ana's phone comes to the
  /// foreground twice (each wake replaces her wake-ups under the same ids), then the center
  /// answers: her alarm wake-up, with its siren, is still there.
  func testTheBuddysAlarmWakeSurvivesTheCentersLateListOnEveryForeground() throws {
    let p = try paired()
    let watch = try startWatched(p)
    let inbox = WatchInboxViewModel(
      source: p.ana.session, driver: p.ana.driver, now: { p.clock.now })
    XCTAssertNotNil(inbox.receive(pasted: watch.body))
    p.ana.composer.answer(try XCTUnwrap(p.ana.composer.presented.last).actionId, .sent)
    let held = try XCTUnwrap(inbox.state.held.first)
    let alarmId = EscalationDriver.wakePrefix + "watch.\(held.id).alarm"
    XCTAssertEqual(p.ana.scheduler.pending[alarmId]?.alarmSound, true)
    p.clock.advance(minutes: 5)
    try p.ana.driver.wake(p.ana.session)
    try p.ana.driver.wake(p.ana.session)
    p.ana.scheduler.answerPendingLists()
    XCTAssertEqual(p.ana.scheduler.pending[alarmId]?.alarmSound, true)
    XCTAssertEqual(p.ana.scheduler.wakeTimes, [p.clock.at(minutes: 60), p.clock.at(minutes: 70)])
  }

  /// A paste the core fails on (not a refusal: an error) still runs the loop: a reminder
  /// due on Ana's phone comes at once, and the error shows.
  func testAFailedPasteStillRunsTheLoop() throws {
    struct PasteFailed: Error {}
    final class FailingPaste: EscalationSource {
      let inner: EscalationSource
      init(_ inner: EscalationSource) { self.inner = inner }
      func tick(now: Date) throws -> [Action] { try inner.tick(now: now) }
      func nextWakeup() throws -> Date? { try inner.nextWakeup() }
      func reportOutcome(action: ActionId, outcome: Outcome, now: Date) throws {
        try inner.reportOutcome(action: action, outcome: outcome, now: now)
      }
      func checkIn(code: String, now: Date) throws -> CheckInReceipt {
        try inner.checkIn(code: code, now: now)
      }
      func rows() throws -> (rows: [CheckinRow], unreadable: Int) { try inner.rows() }
      func watchTick(now: Date) throws -> [WatchAction] { try inner.watchTick(now: now) }
      func receiveWatch(text: String, now: Date) throws -> WatchReceipt { throw PasteFailed() }
      func heldWatches() throws -> [HeldWatch] { try inner.heldWatches() }
      func acknowledgeWatch(watchId: String, now: Date) throws {
        try inner.acknowledgeWatch(watchId: watchId, now: now)
      }
      func sentWatches() throws -> [SentWatch] { try inner.sentWatches() }
    }
    let p = try paired()
    let watch = try startWatched(p)
    let inbox = WatchInboxViewModel(
      source: p.ana.session, driver: p.ana.driver, now: { p.clock.now })
    XCTAssertNotNil(inbox.receive(pasted: watch.body))
    p.clock.now = p.clock.at(minutes: 60)
    let failing = WatchInboxViewModel(
      source: FailingPaste(p.ana.session), driver: p.ana.driver, now: { p.clock.now })
    XCTAssertNil(failing.receive(pasted: "VGL1:anything"))
    XCTAssertNotNil(failing.state.message)
    XCTAssertEqual(failing.form.text, "VGL1:anything", "the text stays")
    XCTAssertEqual(p.ana.driver.watchAlerts.map(\.notice), [.reminder])
    XCTAssertEqual(failing.state.alerts.map(\.notice), [.reminder])
  }

  /// Extending sends EXTEND through the composer; pasted, it moves the buddy's alarm
  /// notification to the new time. Cancelling sends SAFE: her wake-ups for it go.
  func testExtendMovesTheBuddysAlarmAndCancelEndsTheWatch() throws {
    let p = try paired()
    let watch = try startWatched(p)
    let inbox = WatchInboxViewModel(
      source: p.ana.session, driver: p.ana.driver, now: { p.clock.now })
    XCTAssertNotNil(inbox.receive(pasted: watch.body))
    p.ana.composer.answer(try XCTUnwrap(p.ana.composer.presented.last).actionId, .sent)
    XCTAssertEqual(p.ana.scheduler.wakeTimes, [p.clock.at(minutes: 60), p.clock.at(minutes: 70)])

    p.clock.now = p.clock.at(minutes: 40)
    let id = try XCTUnwrap(p.checkin.state.checkins.first).id
    p.checkin.form.extendMinutes = "30"
    p.checkin.extend(id)
    XCTAssertNil(p.checkin.state.message)
    let extend = try XCTUnwrap(p.worker.composer.presented.last)
    XCTAssertEqual(p.worker.composer.presented.count, 2)
    XCTAssertTrue(extend.body.hasPrefix("VGL1:"))
    p.worker.composer.answer(extend.actionId, .sent)
    XCTAssertEqual(inbox.receive(pasted: extend.body)?.kind, .extend)
    p.ana.composer.answer(try XCTUnwrap(p.ana.composer.presented.last).actionId, .sent)
    XCTAssertEqual(inbox.state.held.first?.alarmDue, p.clock.at(minutes: 100))
    XCTAssertEqual(p.ana.scheduler.wakeTimes, [p.clock.at(minutes: 90), p.clock.at(minutes: 100)])

    p.checkin.cancel(id)
    let safe = try XCTUnwrap(p.worker.composer.presented.last)
    XCTAssertEqual(p.worker.composer.presented.count, 3)
    XCTAssertLessThan(safe.body.count, extend.body.count, "a SAFE carries no terms")
    p.worker.composer.answer(safe.actionId, .sent)
    XCTAssertEqual(inbox.receive(pasted: safe.body)?.kind, .safe)
    XCTAssertEqual(inbox.state.held.first?.phase, .safe)
    XCTAssertEqual(p.ana.scheduler.wakeTimes, [], "nothing left to wake her for")
    XCTAssertEqual(p.ana.driver.watchAlerts, [])
  }

  /// Opened with the duress passphrase, the watch screens open like the real ones (no
  /// error to give the decoy away) and show the decoy's own code, never the real one (the
  /// decoy has a watch state of its own: docs/checkin.md "Inside a decoy").
  func testWatchScreensOpenInTheDecoyWithoutAnError() throws {
    let p = try paired()
    let ws = p.worker.session
    let realCode = try ws.ownPairingCode(name: "Mia")
    try ws.setDuress(
      current: passphrase, duress: duressPassphrase, destroyReal: false, alertBuddies: false,
      buddyIds: [], now: p.clock.now)
    ws.lock()
    let unlock = UnlockViewModel(
      vault: p.worker.fixture.vault, secrets: p.worker.fixture.secrets, kdfIterations: fastKdf,
      now: { p.clock.now })
    unlock.form.passphrase = duressPassphrase
    let decoy = try XCTUnwrap(unlock.submit())
    let pairing = PairingViewModel(session: decoy, now: { p.clock.now })
    XCTAssertNil(pairing.state.message)
    pairing.form.ownName = "Mia"
    pairing.showOwnCode()
    XCTAssertNil(pairing.state.message)
    XCTAssertNotNil(pairing.state.ownCode)
    XCTAssertNotEqual(pairing.state.ownCode, realCode)
    let inbox = WatchInboxViewModel(source: decoy, driver: p.worker.driver, now: { p.clock.now })
    XCTAssertNil(inbox.state.message)
    let checkin = CheckinViewModel(session: decoy, driver: p.worker.driver, now: { p.clock.now })
    checkin.wake()
    XCTAssertNil(checkin.state.message)
  }

  func testWakeTimesCoverHeldWatchesAndNameNobody() {
    let watch = WatchRow(
      id: "w", deadline: t0.addingTimeInterval(600), alarmDue: t0.addingTimeInterval(1200))
    let wakes = Schedule.wakeTimes(
      nextWakeup: t0.addingTimeInterval(600), checkins: [], watches: [watch], now: t0)
    XCTAssertEqual(wakes.map(\.at), [watch.deadline, watch.alarmDue])
    XCTAssertEqual(wakes.map(\.bodyKey), ["watch_wake_body", "watch_alarm_due_body"])
    // An overdue next wake-up still wakes at once.
    let late = Schedule.wakeTimes(
      nextWakeup: t0, checkins: [], watches: [watch], now: t0.addingTimeInterval(900))
    XCTAssertEqual(late.map(\.at), [t0.addingTimeInterval(900), t0.addingTimeInterval(1200)])
    // Nothing listed, nothing held: nothing scheduled.
    XCTAssertEqual(Schedule.wakeTimes(nextWakeup: t0, checkins: [], watches: [], now: t0), [])
  }
}

extension FormMessage {
  /// The core error's kind, for the tests.
  var kindName: String? {
    if case .core(let kind, _, _) = self { return kind }
    return nil
  }
}
