import Foundation
import VigilCore
import XCTest

@testable import VigilKit

/// Bad input on every form: a clear message (the core's, naming the field, or the shell's
/// key for a field that is not a number) and everything typed still there.
final class FormTests: XCTestCase {
  private func assertCoreMessage(
    _ message: FieldMessage?, kind: String, mentions words: String,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    guard case .core(let k, let detail, _)? = message?.message else {
      return XCTFail(
        "expected the core's message, got \(String(describing: message))", file: file, line: line)
    }
    XCTAssertEqual(k, kind, file: file, line: line)
    XCTAssertTrue(
      detail.contains(words), "\(detail) should mention \(words)", file: file, line: line)
  }

  private func assertNotANumber(
    _ message: FieldMessage?, field: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertEqual(
      message, FieldMessage(field: field, message: .key("bad_number")), file: file,
      line: line)
  }

  func testUnlockForm() throws {
    let f = try Fixture(self)
    let create = UnlockViewModel(vault: f.vault, secrets: f.secrets, kdfIterations: fastKdf)
    XCTAssertEqual(create.state.stage, .create)
    create.form.passphrase = passphrase
    create.form.confirmation = "correct horse battery!"
    let typed = create.form
    XCTAssertNil(create.submit())
    XCTAssertEqual(create.state.message, .key("passphrase_mismatch"))
    XCTAssertEqual(create.form, typed)
    XCTAssertNil(f.secrets.secret, "no secret made for a vault not created")

    create.form.passphrase = ""
    create.form.confirmation = ""
    XCTAssertNil(create.submit())
    XCTAssertEqual(create.state.message?.detail?.contains("passphrase"), true)
    XCTAssertNil(f.secrets.secret, "the secret made for it is deleted again")
    XCTAssertFalse(try f.vault.exists())

    try f.created().lock()
    let unlock = UnlockViewModel(vault: f.vault, secrets: f.secrets, kdfIterations: fastKdf)
    unlock.form.passphrase = "wrong horse battery"
    XCTAssertNil(unlock.submit())
    guard case .core(let kind, _, let hint)? = unlock.state.message else {
      return XCTFail("the core's message")
    }
    XCTAssertEqual(kind, "WrongPassphrase")
    XCTAssertNotNil(hint)
    XCTAssertEqual(unlock.form.passphrase, "wrong horse battery")
    XCTAssertEqual(unlock.state.stage, .unlock)
  }

  func testBookingForm() throws {
    let f = try Fixture(self)
    let vm = BookingsViewModel(session: try f.created(), now: { t0 })
    vm.form.clientLabel = "New client"
    vm.form.clientPhone = "07700 900123"
    vm.form.address = "12 Example Street"
    vm.form.latitude = "north"
    vm.form.longitude = "-0.12"
    let typed = vm.form
    XCTAssertNil(vm.save())
    assertNotANumber(vm.state.message, field: "latitude")
    XCTAssertEqual(vm.form, typed)

    vm.form.latitude = "51.5"
    vm.form.endsAt = t0.addingTimeInterval(-600)
    let typedAgain = vm.form
    XCTAssertNil(vm.save())
    assertCoreMessage(vm.state.message, kind: "InvalidInput", mentions: "end time")
    XCTAssertEqual(vm.form, typedAgain)
    XCTAssertEqual(vm.state.bookings, [])

    vm.form.endsAt = t0.addingTimeInterval(3600)
    let saved = try XCTUnwrap(vm.save(), "\(String(describing: vm.state.message))")
    XCTAssertEqual(vm.state.bookings, [saved])
    XCTAssertNil(vm.state.message)
    XCTAssertEqual(vm.form.clientLabel, "", "a saved form starts again empty")
  }

  func testCheckinForm() throws {
    let f = try Fixture(self)
    let (session, buddy, _) = try f.withBuddyAndBooking()
    let driver = EscalationDriver(
      scheduler: RecordingScheduler(), composer: HeldComposer(), now: { t0 })
    let vm = CheckinViewModel(session: session, driver: driver, now: { t0 })
    vm.form.deadline = t0.addingTimeInterval(3600)
    vm.form.buddyIds = [buddy.id]
    vm.form.reminderMinutes = "ten"
    let typed = vm.form
    XCTAssertNil(vm.start())
    assertNotANumber(vm.state.message, field: "reminder")
    XCTAssertEqual(vm.form, typed)

    vm.form.reminderMinutes = "5"
    vm.form.graceMinutes = "100000"
    let typedAgain = vm.form
    XCTAssertNil(vm.start())
    assertCoreMessage(vm.state.message, kind: "InvalidInput", mentions: "grace")
    XCTAssertEqual(vm.form, typedAgain)
    XCTAssertEqual(vm.state.checkins, [])

    // A wrong code: the core's message, the code kept for correcting.
    vm.form.graceMinutes = ""
    XCTAssertNotNil(vm.start())
    vm.form.code = "1111"
    vm.checkIn()
    assertCoreMessage(vm.state.message, kind: "WrongCode", mentions: "code")
    XCTAssertEqual(vm.form.code, "1111")
    XCTAssertEqual(vm.state.checkins.count, 1)
  }

  func testBuddyAndCodesForms() throws {
    let f = try Fixture(self)
    let vm = BuddiesViewModel(session: try f.created())
    vm.form.name = "Ana"
    vm.form.phone = "call me maybe"
    let typed = vm.form
    XCTAssertNil(vm.save())
    assertCoreMessage(vm.state.message, kind: "InvalidInput", mentions: "phone")
    XCTAssertEqual(vm.form, typed)
    XCTAssertEqual(vm.state.buddies, [])

    vm.codes.code = "12"
    vm.codes.duressCode = "9876"
    let codes = vm.codes
    vm.saveCodes()
    assertCoreMessage(vm.state.codesMessage, kind: "InvalidInput", mentions: "code")
    XCTAssertEqual(vm.codes, codes)
    XCTAssertFalse(vm.state.codesSaved)

    vm.form.phone = "07400 123456"
    let saved = try XCTUnwrap(vm.save())
    XCTAssertEqual(saved.phone, "+447400123456")
    XCTAssertEqual(vm.state.buddies, [saved])
  }

  func testScreeningAndNoteForms() throws {
    let f = try Fixture(self)
    let vm = ScreeningViewModel(session: try f.created(), now: { t0 })
    vm.query = "??"
    vm.screen()
    XCTAssertNotNil(vm.state.message)
    XCTAssertEqual(vm.state.message?.message.detail?.isEmpty, false)
    XCTAssertEqual(vm.query, "??")
    XCTAssertNil(vm.state.result)

    vm.noteForm.identifiers = ""
    vm.noteForm.label = "Dave"
    vm.noteForm.risk = .danger
    vm.noteForm.text = "violent"
    let typed = vm.noteForm
    XCTAssertNil(vm.saveNote())
    assertCoreMessage(vm.state.noteMessage, kind: "InvalidInput", mentions: "identifier")
    XCTAssertEqual(vm.noteForm, typed)

    vm.noteForm.identifiers = "07700 900461\n"
    XCTAssertNotNil(vm.saveNote())
    vm.query = "+44 7700 900461"
    vm.screen()
    XCTAssertEqual(vm.state.result?.overall, .danger)
    XCTAssertFalse(vm.resultIsIncomplete)
  }

  func testServicesForm() throws {
    let f = try Fixture(self)
    let vm = ServicesViewModel(session: try f.created(), now: { t0 })
    vm.form.latitude = "51.5"
    vm.form.longitude = "-0.12"
    vm.form.radiusKm = "far"
    let typed = vm.form
    vm.nearby()
    assertNotANumber(vm.state.message, field: "radius")
    XCTAssertEqual(vm.form, typed)

    vm.form.radiusKm = "5"
    vm.form.latitude = "200"
    let typedAgain = vm.form
    vm.nearby()
    assertCoreMessage(vm.state.message, kind: "InvalidInput", mentions: "latitude")
    XCTAssertEqual(vm.form, typedAgain)

    vm.form.latitude = "51.5"
    vm.form.categories = ["bakery"]
    vm.nearby()
    assertCoreMessage(vm.state.message, kind: "InvalidInput", mentions: "category")
    XCTAssertEqual(vm.form.categories, ["bakery"])
  }

  func testDuressForm() throws {
    let f = try Fixture(self)
    let vm = DuressViewModel(session: try f.created(), now: { t0 })
    vm.form.current = "not my passphrase"
    vm.form.duress = duressPassphrase
    vm.form.confirmation = duressPassphrase
    let typed = vm.form
    vm.save()
    XCTAssertEqual(vm.state.message?.message.detail?.isEmpty, false)
    XCTAssertEqual(vm.form, typed)
    XCTAssertFalse(vm.state.saved)

    vm.form.current = passphrase
    vm.form.confirmation = "something else"
    let mismatched = vm.form
    vm.save()
    XCTAssertEqual(vm.state.message?.message, .key("passphrase_mismatch"))
    XCTAssertEqual(vm.form, mismatched)

    vm.form.duress = passphrase
    vm.form.confirmation = passphrase
    let same = vm.form
    vm.save()
    XCTAssertEqual(vm.state.message?.message.detail?.isEmpty, false)
    XCTAssertEqual(vm.form, same)
  }

  func testUnlockLimitForm() throws {
    let f = try Fixture(self)
    let vm = UnlockLimitViewModel(session: try f.created())
    vm.attempts = "many"
    vm.save()
    assertNotANumber(vm.state.message, field: "attempts")
    XCTAssertEqual(vm.attempts, "many")
    vm.attempts = "0"
    vm.save()
    assertCoreMessage(vm.state.message, kind: "InvalidInput", mentions: "attempt limit")
    XCTAssertEqual(vm.attempts, "0")
    XCTAssertNil(vm.state.limit)
    vm.attempts = "10"
    vm.save()
    XCTAssertEqual(vm.state, UnlockLimitViewModel.State(limit: 10, message: nil))
  }

  func testExportForm() throws {
    let f = try Fixture(self)
    let session = try f.created()
    let missing = f.dir.appendingPathComponent("no such folder/backup.age")
    let vm = ExportViewModel(session: session, destination: missing, now: { t0 })
    vm.form.passphrase = "backup passphrase"
    vm.form.confirmation = "backup passphrase?"
    let typed = vm.form
    XCTAssertNil(vm.export())
    XCTAssertEqual(
      vm.state.message,
      FieldMessage(field: "passphrase", message: .key("passphrase_mismatch")))
    XCTAssertEqual(vm.form, typed)

    vm.form.confirmation = "backup passphrase"
    let typedAgain = vm.form
    XCTAssertNil(vm.export())
    XCTAssertEqual(vm.state.message?.message.detail?.isEmpty, false)
    XCTAssertEqual(vm.form, typedAgain)

    let good = ExportViewModel(
      session: session, destination: f.dir.appendingPathComponent("backup.age"), now: { t0 })
    good.form.passphrase = "backup passphrase"
    good.form.confirmation = "backup passphrase"
    XCTAssertNotNil(good.export())
    XCTAssertEqual(good.unreadableCount, 0)
    XCTAssertFalse(try XCTUnwrap(good.state.summary).sections.isEmpty)
  }
}
