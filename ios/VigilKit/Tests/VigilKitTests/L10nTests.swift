import Foundation
import VigilCore
import XCTest

@testable import VigilKit

/// The app's words in the six languages of the core's templates (one table,
/// android/tools/strings.py): every key the Swift uses is in every language, and the view
/// models speak the phone's language.
final class L10nTests: XCTestCase {
  override func tearDown() {
    L10n.use(language: nil)
    super.tearDown()
  }

  /// ios/VigilKit (this package) and ios/Vigil (the app's SwiftUI, not compiled here):
  /// beside each other in the clone, or the package beside a copy of ios/ (the test chroot).
  private func swiftSources() throws -> [URL] {
    let package = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let parent = package.deletingLastPathComponent()
    let app = try XCTUnwrap(
      [parent.appendingPathComponent("Vigil"), parent.appendingPathComponent("ios/Vigil")]
        .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("Views").path) },
      "the app's sources (ios/Vigil) are not beside \(package.path)")
    var files: [URL] = []
    for folder in [package.appendingPathComponent("Sources/VigilKit"), app] {
      let walker = try XCTUnwrap(FileManager.default.enumerator(atPath: folder.path))
      for case let path as String in walker where path.hasSuffix(".swift") {
        files.append(folder.appendingPathComponent(path))
      }
    }
    return files
  }

  /// Keys: snake_case literals (`"watch_title"`, `.key("bad_number")`, ...) and whatever is
  /// handed to `L10n.text` / `L10n.format` (`"save"`, `"yes"`).
  private func keysUsed(in text: String) throws -> Set<String> {
    var keys = Set<String>()
    for pattern in [
      #""([a-z]+(?:_[a-z]+)+)""#, #"L10n\.(?:text|format)\(\s*"([a-z]+(?:_[a-z]+)*)""#,
    ] {
      let regex = try NSRegularExpression(pattern: pattern)
      let range = NSRange(text.startIndex..., in: text)
      for match in regex.matches(in: text, range: range) {
        if let key = Range(match.range(at: 1), in: text) { keys.insert(String(text[key])) }
      }
    }
    return keys
  }

  func testEveryKeyUsedInTheSwiftIsInEveryLanguage() throws {
    let files = try swiftSources()
    XCTAssertTrue(files.contains { $0.lastPathComponent == "WatchView.swift" })
    var used = Set<String>()
    for file in files {
      used.formUnion(try keysUsed(in: String(contentsOf: file, encoding: .utf8)))
    }
    XCTAssertGreaterThan(used.count, 150, "the scan found the app's keys")
    for key in [
      "save", "yes", "booking_status_no_show", "booking_past_no_status", "watch_alarm_body",
    ] {
      XCTAssertTrue(used.contains(key), key)
    }
    for language in L10n.languages {
      for key in used.sorted() {
        XCTAssertTrue(L10n.has(key, language: language), "\(language).lproj lacks \(key)")
      }
    }
    // A key nobody wrote is reported as missing (the check can fail).
    XCTAssertFalse(L10n.has("watch_call_him", language: "en"))
    XCTAssertFalse(L10n.has("save", language: "xx"))
  }

  func testEveryLanguageHasItsOwnWordsAndTheSamePlaceholders() throws {
    for language in L10n.languages where language != "en" {
      L10n.use(language: language)
      XCTAssertNotEqual(L10n.text("unlock_title"), "Enter your passphrase", language)
      XCTAssertNotEqual(L10n.text("watch_alarm_body"), "watch_alarm_body", language)
      // A count and a name fill in as in English.
      XCTAssertTrue(L10n.format("unreadable_records", 3).contains("3"), language)
      XCTAssertTrue(L10n.format("watch_received_from", "Mia").contains("Mia"), language)
    }
    L10n.use(language: "pt-BR")
    XCTAssertEqual(L10n.text("save"), "Salvar", "Brazilian, not European Portuguese")
    L10n.use(language: "pt")
    XCTAssertEqual(L10n.text("save"), "Guardar")
  }

  /// The phone's languages in order of preference pick the table's language.
  func testThePhonesLanguagePicksTheTablesLanguage() {
    XCTAssertEqual(L10n.match(["es-ES", "en-GB"]), "es")
    XCTAssertEqual(L10n.match(["es-419"]), "es")
    XCTAssertEqual(L10n.match(["pt-BR"]), "pt-BR")
    XCTAssertEqual(L10n.match(["pt_BR"]), "pt-BR")
    XCTAssertEqual(L10n.match(["pt-PT"]), "pt")
    XCTAssertEqual(L10n.match(["de-DE", "ro-RO", "es"]), "ro", "the first one the table has")
    XCTAssertEqual(L10n.match(["de-DE"]), "en")
    XCTAssertEqual(L10n.match([]), "en")
  }

  /// The locale for dates keeps the region of the phone's language: British English shows
  /// a 24-hour clock and the day first, not US English's 12-hour clock.
  func testTheLocaleKeepsTheRegionOfThePhonesLanguage() {
    func locale(_ preferred: [String], _ region: String?) -> String {
      L10n.resolve(chosen: nil, preferred: preferred, region: region).locale
    }
    XCTAssertEqual(locale(["en-GB"], "US"), "en-GB")
    XCTAssertEqual(L10n.resolve(chosen: nil, preferred: ["en_GB"], region: nil).language, "en")
    XCTAssertEqual(locale(["de-DE", "pt-BR"], "DE"), "pt-BR")
    XCTAssertEqual(locale(["es"], "MX"), "es-MX", "no region in the language: the phone's")
    XCTAssertEqual(locale(["de-DE"], "DE"), "en-DE")
    XCTAssertEqual(locale(["ro"], nil), "ro")
    let british = DateFormatter()
    british.locale = Locale(identifier: locale(["en-GB"], nil))
    british.timeZone = TimeZone(identifier: "UTC")
    british.dateStyle = .short
    british.timeStyle = .short
    // 2026-11-28 22:00 UTC.
    let text = british.string(from: t0.addingTimeInterval(2 * 3600))
    XCTAssertTrue(text.contains("22:00"), text)
    XCTAssertTrue(text.contains("28/11/2026"), text)
  }

  /// A phone in Spanish: the unlock screen's own message, a check-in notification and the
  /// core's error (in the vault's language, untouched) as the screens show them.
  func testAViewModelInSpanishShowsSpanish() throws {
    L10n.use(language: "es")
    let f = try Fixture(self)
    let create = UnlockViewModel(vault: f.vault, secrets: f.secrets, kdfIterations: fastKdf)
    create.form.passphrase = passphrase
    create.form.confirmation = "something else"
    XCTAssertNil(create.submit())
    XCTAssertEqual(create.state.message?.text, "Las dos frases no son iguales.")

    let session = try f.created()
    let limit = UnlockLimitViewModel(session: session)
    limit.attempts = "diez"
    limit.save()
    XCTAssertEqual(limit.state.message?.message.text, "Escribe un número aquí.")

    let checkin = CheckinViewModel(
      runner: try f.vault.backgroundRunner(deviceSecret: try XCTUnwrap(f.secrets.secret)),
      driver: EscalationDriver(
        scheduler: RecordingScheduler(), composer: HeldComposer(), now: { f.clock.now }))
    checkin.start()
    XCTAssertEqual(
      checkin.state.message?.message.text, "Desbloquea Vigil para iniciar un control.")

    let wake = NotificationRequest(
      id: "w", fireAt: t0, kind: .wake, titleKey: "countdown_title", body: "checkin_wake_body",
      bodyIsKey: true, timeSensitive: true)
    XCTAssertEqual(wake.title, "Control pendiente")
    XCTAssertEqual(wake.bodyText, "Abre Vigil: tu control te necesita.")
    let notice = NotificationRequest(
      id: "n", fireAt: t0, kind: .notice, titleKey: "notice_title", body: "core text",
      bodyIsKey: false, timeSensitive: true)
    XCTAssertEqual(notice.bodyText, "core text", "the core's text is shown as it is")

    XCTAssertEqual(Countdown.Stage.grace.title, "Hora límite pasada: haz el control ya")
    XCTAssertEqual(WatchPhase.alarm.title, "Alarma: no ha hecho el control.")
    XCTAssertEqual(CamouflageViewModel.title("Weather"), "Tiempo")

    // Back to the phone's language.
    L10n.use(language: nil)
    let phones = wake.title
    L10n.use(language: L10n.match(Locale.preferredLanguages))
    XCTAssertEqual(phones, wake.title)
    L10n.use(language: "en")
    XCTAssertEqual(wake.title, "Check-in due")
  }

  /// The status names (the core's done, cancelled, no_show, ...) and "past, no status" in
  /// the bookings list, in the phone's language.
  func testBookingStatusNamesAreLocalized() throws {
    let f = try Fixture(self)
    let (session, _, booking) = try f.withBuddyAndBooking()
    let vm = BookingsViewModel(session: session, now: { [clock = f.clock] in clock.now })
    f.clock.now = f.clock.at(minutes: 120)
    vm.reload()
    let listed = { try XCTUnwrap(vm.state.bookings.first { $0.id == booking.id }) }

    L10n.use(language: "es")
    XCTAssertEqual(vm.statusText(try listed()), "pasada, sin estado")
    XCTAssertEqual(
      BookingsViewModel.outcomes.map(\.title), ["Hecha", "Cancelada", "No se presentó"])
    vm.setStatus(booking.id, .noShow)
    XCTAssertEqual(vm.statusText(try listed()), "No se presentó")

    L10n.use(language: "ro")
    XCTAssertEqual(vm.statusText(try listed()), "Clientul nu a venit")
    L10n.use(language: "pl")
    XCTAssertEqual(BookingStatus.done.title, "Zakończona")
    L10n.use(language: "en")
    XCTAssertEqual(
      BookingStatus.all.map(\.title),
      [
        "Planned", "In progress", "Done", "Cancelled", "No-show", "Incident",
      ])
    for language in L10n.languages {
      L10n.use(language: language)
      let names = BookingStatus.all.map(\.title)
      XCTAssertEqual(Set(names).count, names.count, "\(language): each status its own name")
      XCTAssertFalse(names.contains { $0.hasPrefix("booking_status_") }, language)
    }
  }

  /// The check-in history's lines: the date in the phone's language, how it ended.
  func testHistoryLinesAreLocalized() throws {
    let f = try Fixture(self)
    let (session, buddy, booking) = try f.withBuddyAndBooking()
    _ = try session.startCheckin(
      input: CheckinInput(
        deadline: f.clock.at(minutes: 60), buddyIds: [buddy.id], bookingId: booking.id,
        reminderMinutes: nil, graceMinutes: nil, repeatMinutes: nil, discreetNotice: nil,
        ladder: []),
      now: f.clock.now)
    f.clock.now = f.clock.at(minutes: 50)
    _ = try session.checkIn(code: "4321", now: f.clock.now)
    let vm = BookingsViewModel(session: session, now: { [clock = f.clock] in clock.now })
    let ended = try XCTUnwrap(vm.state.history.first)
    L10n.use(language: "es")
    let lines = vm.historyText(ended)
    XCTAssertEqual(lines.count, 1)
    XCTAssertTrue(lines[0].hasSuffix(": control hecho"), lines[0])
    XCTAssertTrue(lines[0].contains("2026"), lines[0])
    XCTAssertEqual(vm.checkinsText(for: booking.id), "Controles: 1")
    XCTAssertNil(vm.checkinsText(for: "another booking"))
  }
}
