package app.vigil.core

import app.vigil.core.types.*
import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/** The end-to-end scenario through the generated Kotlin and the real library. */
class ScenarioTest {
    private val device = "keystore secret for the tests!!!".toByteArray()
    private val t0: Instant = Instant.parse("2026-11-28T20:00:00Z")
    private val fastKdf = 100_000u
    private val fixtures = File(System.getProperty("vigil.fixtures"))

    private fun at(minutes: Long): Instant = t0.plus(Duration.ofMinutes(minutes))

    private fun booking(label: String, phone: String? = null) = BookingInput(
        clientLabel = label, clientPhone = phone, clientEmail = null, clientHandle = null,
        startsAt = at(0), endsAt = at(60), kind = BookingKind.OUTCALL,
        address = "12 Example Street", latitude = 51.5, longitude = -0.12,
        terms = null, notes = null, status = BookingStatus.PLANNED,
    )

    private fun checkin(deadline: Instant, buddy: String, booking: String?) = CheckinInput(
        deadline = deadline, buddyIds = listOf(buddy), bookingId = booking,
        reminderMinutes = null, graceMinutes = null, repeatMinutes = null,
    )

    @Test
    fun theWholeScenario(@TempDir dir: File) {
        val vault = Vault(File(dir, "vault.db").path)
        vault.create("correct horse", device, fastKdf).lock()
        assertThrows<VigilException.WrongPassphrase> { vault.unlock("wrong horse", device, t0) }
        val session = vault.unlock("correct horse", device, t0)

        val added = session.addBooking(booking("New client", "07700 900123"), t0)
        assertEquals(added, session.getBooking(added.id))
        val buddy = session.addBuddy(BuddyInput("Ana", "07400 123456", Channel.SMS, "pl"))
        assertEquals("+447400123456", buddy.phone)
        session.setCheckinCodes("4321", "9876")

        val status = session.startCheckin(checkin(at(60), buddy.id, added.id), t0)
        assertEquals(CheckinPhase.ARMED, status.phase)
        assertEquals(at(55), session.nextWakeup())

        // Advance through tick, reporting worker notifications, until a buddy is alerted.
        var alert: Action? = null
        while (alert == null) {
            val wake = requireNotNull(session.nextWakeup()) { "an armed check-in always has a next wake-up" }
            assertTrue(wake <= at(70), "escalation is due at deadline + grace")
            for (action in session.tick(wake)) {
                if (action.kind is ActionKind.MessageBuddy) alert = action
                else session.reportOutcome(action.id, Outcome.Sent, wake)
            }
        }
        val message = alert!!.kind as ActionKind.MessageBuddy
        assertEquals("+447400123456", message.phone)
        assertEquals("pl", message.language)
        assertFalse(message.discreet)
        session.reportOutcome(alert!!.id, Outcome.Failed("no signal"), at(70))
        val retryAt = session.nextWakeup()!!
        val retried = session.tick(retryAt).filter { it.kind is ActionKind.MessageBuddy }
        assertEquals(1, retried.size)
        session.reportOutcome(retried[0].id, Outcome.Sent, retryAt)

        // The duress code answers like the normal one and alerts silently.
        val receipt = session.checkIn("9876", retryAt)
        assertEquals(listOf(status.id), receipt.checkinIds)
        val duress = session.tick(retryAt).map { it.kind }.filterIsInstance<ActionKind.MessageBuddy>()
        assertTrue(duress.isNotEmpty() && duress.all { it.discreet && it.purpose == MessagePurpose.DURESS })
        assertTrue(session.listCheckins().checkins.isEmpty())

        // A client note, and one number written three ways.
        session.addNote(NoteInput(listOf("07700 900461"), "Dave", Risk.DANGER, "violent"), t0)
        for (written in listOf("07700 900461", "+44 7700 900461", "0044 7700-900-461")) {
            val result = session.screen(written, t0)
            assertEquals(Risk.DANGER, result.overall, written)
            assertTrue(result.matches[0].exact)
            assertEquals(MatchSource.Note::class, result.matches[0].source::class)
            assertEquals("Dave", (result.matches[0].source as MatchSource.Note).label)
        }

        // A signed directory bundle, then nearby services.
        val bundle = File(fixtures, "directory.bundle").readBytes()
        val unknown = assertThrows<VigilException.UnknownPublisher> { session.importBundle(bundle, t0) }
        assertTrue(unknown.hint!!.contains("trust the publisher"))
        session.trustPublisher("Test project", File(fixtures, "publisher.pub").readText(), t0)
        val summary = session.importBundle(bundle, t0)
        assertEquals(BundleKind.DIRECTORY, summary.kind)
        assertEquals(3uL, summary.records)
        // Alerts from the same publisher: who published it (the name as pinned) and what it
        // reports cross as data, not as a lowercased debug string.
        val alerts = session.importBundle(File(fixtures, "alerts.bundle").readBytes(), t0)
        assertEquals(BundleKind.ALERTS, alerts.kind)
        val flagged = session.screen("07700 900999", t0)
        assertEquals(Risk.DANGER, flagged.overall)
        assertEquals(MatchSource.Alert("Test project", AlertCategory.SEXUAL_ASSAULT), flagged.matches[0].source)
        val found = session.nearbyServices(NearbyInput(51.5136, -0.1365, 5.0, 10u, listOf(), null), t0)
        assertTrue(found.unreadableIds.isEmpty() && found.incompletePublishers.isEmpty())
        val hits = found.services
        assertEquals("test:1", hits.first().id)
        assertEquals(hits.sortedBy { it.distanceM }, hits)
        assertThrows<VigilException.InvalidInput> {
            session.nearbyServices(NearbyInput(51.5, -0.1, 5.0, 10u, listOf("bakery"), null), t0)
        }

        session.lock()
        assertThrows<VigilException.Locked> { session.listBookings(null, null) }
        vault.wipe()
        assertFalse(vault.exists())
        assertThrows<VigilException.VaultNotFound> { vault.unlock("correct horse", device, t0) }
    }

    @Test
    fun errorsCrossTheBoundaryAsTypedExceptions(@TempDir dir: File) {
        val vault = Vault(File(dir, "vault.db").path)
        val session = vault.create("pass", device, fastKdf)
        val bad = booking("x").copy(endsAt = at(-10))
        val e = assertThrows<VigilException.InvalidInput> { session.addBooking(bad, t0) }
        assertTrue(e.message!!.contains("end time"))
        assertThrows<VigilException.NotFound> { session.getBooking("00".repeat(16)) }
        assertThrows<VigilException.CodesNotSet> { session.checkIn("1234", t0) }
        assertThrows<VigilException.VaultExists> { vault.create("pass", device, fastKdf) }
        val garbage = File(dir, "garbage.db")
        Files.write(garbage.toPath(), ByteArray(8192) { 0x5a })
        assertThrows<VigilException.CorruptVault> { Vault(garbage.path).unlock("pass", device, t0) }
    }

    @Test
    fun aWrongCodeAndNothingArmedArriveAsDifferentErrorsWithHints(@TempDir dir: File) {
        val session = Vault(File(dir, "vault.db").path).create("pass", device, fastKdf)
        val buddy = session.addBuddy(BuddyInput("Ana", "07400 123456", Channel.SMS, "en"))
        session.setCheckinCodes("4321", "9876")
        val none = assertThrows<VigilException.NothingArmed> { session.checkIn("4321", t0) }
        assertEquals("no check-in is armed", none.detail)
        assertTrue(none.hint!!.isNotEmpty())
        session.startCheckin(checkin(at(30), buddy.id, null), t0)
        val wrong = assertThrows<VigilException.WrongCode> { session.checkIn("1111", at(1)) }
        assertEquals("wrong check-in code", wrong.detail)
        assertTrue(wrong.hint!!.isNotEmpty())
        assertTrue(wrong.hint != none.hint)
    }

    @Test
    fun extremeTimesAndDurationsAreTypedErrors(@TempDir dir: File) {
        val session = Vault(File(dir, "vault.db").path).create("pass", device, fastKdf)
        val before1970 = Instant.parse("1969-12-31T23:59:00Z")
        for (t in listOf(Instant.MAX, Instant.MIN, before1970)) {
            val e = assertThrows<VigilException.TimeOutOfRange> { session.tick(t) }
            assertTrue(e.hint!!.isNotEmpty())
            assertThrows<VigilException.TimeOutOfRange> { session.addBooking(booking("x").copy(startsAt = t), t0) }
        }
        // Minutes beyond any check-in (12 hours) are the check-in's refusal, not the clock's.
        assertThrows<VigilException.InvalidInput> { session.extendCheckin("00".repeat(16), Long.MAX_VALUE, t0) }
    }

    @Test
    fun theSessionIsSafeToShareBetweenThreads(@TempDir dir: File) {
        val session = Vault(File(dir, "vault.db").path).create("pass", device, fastKdf)
        val pool = Executors.newFixedThreadPool(4)
        repeat(4) { n -> pool.submit { repeat(10) { i -> session.addBooking(booking("t$n-$i"), t0) } } }
        pool.shutdown()
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS))
        assertEquals(40, session.listBookings(null, null).bookings.size)
    }

    @Test
    fun theBackgroundRunnerWorksWithTheDeviceSecretOnly(@TempDir dir: File) {
        val vault = Vault(File(dir, "vault.db").path)
        val session = vault.create("pass", device, fastKdf)
        val buddy = session.addBuddy(BuddyInput("Ana", "07400 123456", Channel.CALL, "es"))
        session.setCheckinCodes("4321", "9876")
        session.startCheckin(checkin(at(30), buddy.id, null), t0)
        session.lock()
        val runner = vault.backgroundRunner(device)
        val actions = runner.tick(at(45))
        assertTrue(actions.any { it.kind is ActionKind.MessageBuddy })
        assertEquals(1, runner.checkIn("4321", at(46)).checkinIds.size)
    }

    @Test
    fun extremeTimesAndMinutesAreTypedErrorsAndTheLockScreenListShowsNoNames(@TempDir dir: File) {
        val vault = Vault(File(dir, "vault.db").path)
        val session = vault.create("pass", device, fastKdf)
        val buddy = session.addBuddy(BuddyInput("Ana", "07400 123456", Channel.SMS, "en"))
        session.setCheckinCodes("4321", "9876")
        assertThrows<VigilException.InvalidInput> {
            session.startCheckin(checkin(at(30), buddy.id, null).copy(graceMinutes = Long.MAX_VALUE), t0)
        }
        assertThrows<VigilException.TimeOutOfRange> {
            session.startCheckin(checkin(at(30), buddy.id, null), Instant.MAX)
        }
        session.startCheckin(checkin(at(30), buddy.id, null), t0)
        session.lock()
        val runner = vault.backgroundRunner(device)
        assertThrows<VigilException.TimeOutOfRange> { runner.tick(Instant.MAX) }
        assertThrows<VigilException.TimeOutOfRange> { runner.tick(Instant.MIN) }
        val listing = runner.list()
        assertEquals(1, listing.checkins.size)
        assertEquals(CheckinPhase.ARMED, listing.checkins[0].phase)
        assertFalse(listing.toString().contains("Ana"))
    }

    @Test
    fun aDuressUnlockWithAPreparedAlertQueuesTheSilentAlert(@TempDir dir: File) {
        val vault = Vault(File(dir, "vault.db").path)
        val session = vault.create("real", device, fastKdf)
        val ana = session.addBuddy(BuddyInput("Ana", "07400 123456", Channel.SMS, "en"))
        session.setCheckinCodes("4321", "9876")
        session.setDuress("real", "decoy", false, true, listOf(ana.id), t0)
        session.lock()
        // Opens like any unlock; the next tick sends Ana the silent alert, nothing visible.
        val decoy = vault.unlock("decoy", device, t0)
        assertFalse(decoy.isLocked())
        assertTrue(decoy.listBuddies().buddies.isEmpty())
        val actions = decoy.tick(t0)
        assertEquals(1, actions.size)
        val alert = actions[0].kind as ActionKind.MessageBuddy
        assertEquals(ana.id, alert.buddyId)
        assertTrue(alert.discreet)
        assertEquals(MessagePurpose.DURESS, alert.purpose)
        decoy.reportOutcome(actions[0].id, Outcome.Sent, t0)
        decoy.lock()
        assertTrue(vault.unlock("real", device, at(1)).tick(at(1)).isEmpty())
    }

    @Test
    fun settingsAreStoredAndNotesAndBuddiesCanBeEdited(@TempDir dir: File) {
        val vault = Vault(File(dir, "vault.db").path)
        val session = vault.create("pass", device, fastKdf)
        assertEquals(Settings("GB", listOf("en"), null, 5u), session.settings())
        session.setSettings(Settings("RO", listOf("ro"), 120, 10u))
        val ana = session.addBuddy(BuddyInput("Ana", "0722 123 456", Channel.SMS, "ro"))
        assertEquals("+40722123456", ana.phone)
        val moved = session.updateBuddy(ana.id, BuddyInput("Ana M", "0722 999 999", Channel.CALL, "ro"))
        assertEquals(listOf(moved), session.listBuddies().buddies)
        session.removeBuddy(ana.id)
        assertTrue(session.listBuddies().buddies.isEmpty())
        val note = session.addNote(NoteInput(listOf("0722 111 222"), null, Risk.CAUTION, ""), t0)
        assertEquals("+40722111222", note.label)
        val edited = session.updateNote(note.id, NoteInput(listOf("0722 111 333"), "Dan", Risk.DANGER, "x"), t0)
        assertEquals(listOf("+40722111333"), edited.identifiers)
        session.deleteNote(note.id)
        assertTrue(session.listNotes().notes.isEmpty())
        session.lock()
        assertEquals(Settings("RO", listOf("ro"), 120, 10u), vault.unlock("pass", device, t0).settings())
    }

    @Test
    fun exportRestoreProbeAndAPendingWipe(@TempDir dir: File) {
        val vault = Vault(File(dir, "vault.db").path)
        assertEquals(VaultProbe(exists = false, needsDeviceSecret = false), vault.probe())
        val session = vault.create("pass", device, fastKdf)
        assertEquals(VaultProbe(exists = true, needsDeviceSecret = true), vault.probe())
        session.addBooking(booking("Backed up"), t0)
        val backup = File(dir, "vigil.backup")
        val exported = session.exportToFile(backup.path, "backup words", t0)
        assertTrue(exported.unreadableCount == 0UL && exported.unreadable.isEmpty())
        val restored = Vault(File(dir, "other.db").path)
            .restoreIntoNew("new pass", device, fastKdf, backup.path, "backup words", t0)
        assertEquals(listOf("Backed up"), restored.session.listBookings(null, null).bookings.map { it.details.clientLabel })
        val failed = Vault(File(dir, "failed.db").path)
        assertThrows<VigilException.WrongBackupKey> {
            failed.restoreIntoNew("new pass", device, fastKdf, backup.path, "wrong words", t0)
        }
        assertFalse(failed.exists())
        session.lock()
        val pending = vault.wipeAfter(t0, 30u)
        assertEquals(t0.plusSeconds(30), pending.dueAt())
        assertEquals(WipeState.PENDING, pending.poll(t0))
        assertEquals(WipeState.CANCELLED, pending.cancel())
        assertTrue(vault.exists())
        val wipe = vault.wipeAfter(t0, 30u)
        assertEquals(WipeState.DONE, wipe.poll(t0.plusSeconds(30)))
        assertFalse(vault.exists())
    }
}
