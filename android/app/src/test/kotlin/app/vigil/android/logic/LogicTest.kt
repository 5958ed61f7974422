package app.vigil.android.logic

import app.vigil.core.Action
import app.vigil.core.ActionId
import app.vigil.core.ActionKind
import app.vigil.core.CallLabel
import app.vigil.core.MatchSource
import app.vigil.core.ScreenMatch
import app.vigil.core.ScreenResult
import app.vigil.core.types.AlertCategory
import app.vigil.core.types.Channel
import app.vigil.core.types.MessagePurpose
import app.vigil.core.types.Risk
import app.vigil.core.types.WorkerNotice
import java.io.File
import java.time.Instant
import java.time.ZoneId
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

/** The plain-Kotlin logic, on a plain JVM (no Robolectric). */
class LogicTest {
    private val id = ActionId("0123456789abcdef0123456789abcdef", 7u)
    private val now = Instant.parse("2026-11-28T20:00:00Z")

    private fun buddy(channel: Channel, discreet: Boolean = false) = Action(
        id, 1u, ActionKind.MessageBuddy("b", "Ana", "+447400123456", channel, "en", MessagePurpose.ALERT, "help at 12 Example Street", discreet),
    )

    @Test
    fun eachCoreActionBecomesOneRequestWithTheCoresWords() {
        assertEquals(ShellRequest.Sms(id, "+447400123456", "help at 12 Example Street", true), ActionMapper.map(buddy(Channel.SMS, true)))
        assertEquals(ShellRequest.Call(id, "+447400123456"), ActionMapper.map(buddy(Channel.CALL)))
        assertEquals(ShellRequest.ShareToApp(id, "help at 12 Example Street"), ActionMapper.map(buddy(Channel.OTHER_APP)))
        // A discreet message is never shared or called: that would show its text or a call.
        assertEquals(ShellRequest.NotSilently(id), ActionMapper.map(buddy(Channel.OTHER_APP, true)))
        assertEquals(ShellRequest.NotSilently(id), ActionMapper.map(buddy(Channel.CALL, true)))
        assertEquals(ShellRequest.Notify(id, "soon", false), ActionMapper.map(Action(id, 1u, ActionKind.NotifyWorker(WorkerNotice.REMINDER, "soon"))))
        assertEquals(ShellRequest.Notify(id, "late", true), ActionMapper.map(Action(id, 1u, ActionKind.NotifyWorker(WorkerNotice.OVERDUE, "late"))))
        val failed = ActionKind.WorkerAlertFailed("b", "Ana", Channel.SMS, Channel.CALL, false, "no service", "could not reach Ana")
        assertEquals(ShellRequest.Notify(id, "could not reach Ana", true), ActionMapper.map(Action(id, 1u, failed)))
    }

    @Test
    fun actionIdKeysRoundTrip() {
        assertEquals(id, actionIdFromKey(id.key()))
        assertNull(actionIdFromKey("nonsense"))
        assertNull(actionIdFromKey("abc:-1"))
    }

    @Test
    fun theLedgerNeverAllowsTwoSendsForOneIdAndReportsDeliveryOnce() {
        val ledger = SendLedger()
        assertTrue(ledger.maySend(id, now.toEpochMilli()))
        ledger.started(id, parts = 2, nowMillis = now.toEpochMilli())
        assertFalse("in the radio", ledger.maySend(id, now.toEpochMilli()))
        assertNull("one part of two is not Sent", ledger.sentResult(id, ok = true))
        assertEquals(true, ledger.sentResult(id, ok = true))
        assertNull("a late duplicate changes nothing", ledger.sentResult(id, ok = false))
        assertFalse("sent: never again", ledger.maySend(id, now.toEpochMilli()))
        assertTrue(ledger.deliveryResult(id, delivered = true))
        assertFalse("a duplicate report is acted on once", ledger.deliveryResult(id, delivered = true))
        assertFalse(ledger.maySend(id, now.toEpochMilli()))

        val again = SendLedger.load(ledger.save())
        assertEquals(SendLedger.State.DELIVERED, again.state(id))
    }

    @Test
    fun aFailedOrUndeliveredSmsMayBeSentAgain() {
        val ledger = SendLedger()
        ledger.started(id, 1, now.toEpochMilli())
        assertEquals(false, ledger.sentResult(id, ok = false))
        assertTrue(ledger.maySend(id, now.toEpochMilli()))
        ledger.started(id, 1, now.toEpochMilli())
        assertEquals(true, ledger.sentResult(id, ok = true))
        assertTrue(ledger.deliveryResult(id, delivered = false))
        assertTrue(ledger.maySend(id, now.toEpochMilli()))
        // A multipart send in flight survives a reload with its parts count.
        ledger.started(id, parts = 3, nowMillis = now.toEpochMilli())
        val reloaded = SendLedger.load(ledger.save())
        assertNull(reloaded.sentResult(id, ok = true))
        assertNull(reloaded.sentResult(id, ok = true))
        assertEquals(true, reloaded.sentResult(id, ok = true))
    }

    @Test
    fun theLedgerForgetsEndedCheckins() {
        val ledger = SendLedger()
        ledger.started(id, 1, now.toEpochMilli())
        ledger.retainCheckins(setOf("another"))
        assertNull(ledger.state(id))
        assertTrue(SendLedger.load(setOf("garbage", "x=NOPE/1")).save().isEmpty())
    }

    @Test
    fun theLedgerForgetsSendsOlderThanTheCutoff() {
        val old = ActionId("00000000000000000000000000000000", 1u)
        val ledger = SendLedger.load(setOf("${old.key()}=SENT/0"))
        ledger.started(id, 1, now.toEpochMilli())
        ledger.sentResult(id, ok = true)
        ledger.forgetStartedBefore(now.toEpochMilli() - 1)
        assertNull("a line from before start times were kept", ledger.state(old))
        assertEquals(SendLedger.State.SENT, ledger.state(id))
        ledger.forgetStartedBefore(now.toEpochMilli() + 1)
        assertTrue(ledger.save().isEmpty())
    }

    @Test
    fun theLedgerIsHandedToBeStoredAsSoonAsASendStarts() {
        val ledger = SendLedger()
        var stored: Set<String>? = null
        ledger.onStarted = { stored = it.save() }
        ledger.started(id, 1, now.toEpochMilli())
        assertEquals(SendLedger.State.IN_FLIGHT, SendLedger.load(stored!!).state(id))
    }

    @Test
    fun aSendWhoseRadioResultNeverComesMayGoAgainAfterThreeMinutes() {
        val ledger = SendLedger()
        val start = now.toEpochMilli()
        ledger.started(id, 1, start)
        // The result was lost (a reboot, a killed process): kept for 3 minutes, then the
        // core's next re-issue of the id is sent again, also after a reload.
        assertFalse(ledger.maySend(id, start + SendLedger.IN_FLIGHT_EXPIRY_MILLIS - 1))
        val reloaded = SendLedger.load(ledger.save())
        assertFalse(reloaded.maySend(id, start + 60_000))
        assertTrue(reloaded.maySend(id, start + SendLedger.IN_FLIGHT_EXPIRY_MILLIS))
        // A ledger line from before the start time was kept counts as long started.
        assertTrue(SendLedger.load(setOf("${id.key()}=IN_FLIGHT/1")).maySend(id, start))
        // Sent stays sent, however old.
        ledger.sentResult(id, ok = true)
        assertFalse(ledger.maySend(id, start + 3_600_000))
    }

    @Test
    fun smsFailureReasonsAreSpecificAndDeliveryStatusIsRead() {
        assertEquals("no mobile service", SmsResults.failureReason(SmsResults.NO_SERVICE, null))
        assertEquals("radio off (airplane mode)", SmsResults.failureReason(SmsResults.RADIO_OFF, null))
        assertEquals("SMS failed (error 38)", SmsResults.failureReason(SmsResults.GENERIC_FAILURE, 38))
        assertEquals(true, SmsResults.deliveryFinal(0))
        assertNull("still trying", SmsResults.deliveryFinal(0x20))
        assertEquals(false, SmsResults.deliveryFinal(0x41))
    }

    @Test
    fun theAlarmIsAlwaysAtTheCoresTimeAndNeverInThePast() {
        fun choose(next: Instant?, exact: Boolean) = AlarmPlanner.choose(next, now, exact, sdk = 34, throttled = false, discreet = false)
        assertEquals(AlarmChoice.None, choose(null, true))
        assertEquals(AlarmChoice.Exact(now.plusSeconds(60).toEpochMilli()), choose(now.plusSeconds(60), true))
        assertEquals(AlarmChoice.Exact(now.toEpochMilli()), choose(now.minusSeconds(600), true))
        assertEquals(AlarmChoice.Inexact(now.plusSeconds(60).toEpochMilli()), choose(now.plusSeconds(60), false))
        assertTrue(AlarmPlanner.exactAllowed(30, canScheduleExact = false))
        assertFalse(AlarmPlanner.exactAllowed(34, canScheduleExact = false))
        assertTrue(AlarmPlanner.exactAllowed(34, canScheduleExact = true))
    }

    @Test
    fun onAndroid8To11AThrottledPhoneGetsAnAlarmClockForAWakeUpTheThrottleWouldDelay() {
        val soon = now.plusSeconds(14 * 60)
        val later = now.plusSeconds(15 * 60)
        fun choose(next: Instant, sdk: Int = 30, throttled: Boolean = true, discreet: Boolean = false, exact: Boolean = true) =
            AlarmPlanner.choose(next, now, exact, sdk, throttled, discreet)
        assertEquals(AlarmChoice.Clock(soon.toEpochMilli()), choose(soon))
        assertEquals(AlarmChoice.Clock(now.toEpochMilli()), choose(now.minusSeconds(5), sdk = 26))
        // Far enough ahead, not dozing nor saving battery, Android 12+ (a quota instead of
        // the 9 minutes), nothing visible (after a duress check-in), or exact alarms
        // denied: no alarm clock.
        assertEquals(AlarmChoice.Exact(later.toEpochMilli()), choose(later))
        assertEquals(AlarmChoice.Exact(soon.toEpochMilli()), choose(soon, throttled = false))
        assertEquals(AlarmChoice.Exact(soon.toEpochMilli()), choose(soon, sdk = 31))
        assertEquals(AlarmChoice.Exact(soon.toEpochMilli()), choose(soon, discreet = true))
        assertEquals(AlarmChoice.Inexact(soon.toEpochMilli()), choose(soon, sdk = 34, exact = false))
    }

    @Test
    fun theBookingFormParsesOnlyAndKeepsEveryFieldWhenRefused() {
        val zone = ZoneId.of("Europe/London")
        val bad = BookingFields(client = " ", phone = "07700 900123", time = "9pm", durationMinutes = "-5")
        val refused = bad.toInput(zone) as FormResult.Invalid
        assertEquals(setOf("client", "time", "duration"), refused.errors.keys)
        val ok = BookingFields(client = "Dan", phone = "", time = "2026-12-01 21:30", durationMinutes = "90", address = " Flat 3 ").toInput(zone) as FormResult.Ok
        assertEquals(Instant.parse("2026-12-01T21:30:00Z"), ok.value.startsAt)
        assertEquals(Instant.parse("2026-12-01T23:00:00Z"), ok.value.endsAt)
        assertNull(ok.value.clientPhone)
        assertEquals("Flat 3", ok.value.address)
        assertEquals("2026-12-01 21:30", BookingFields.from(ok.value, zone).time)
    }

    @Test
    fun screeningNeverShowsAnAllClearWhenSomethingCouldNotBeRead() {
        val clear = ScreenResult("+447700900123", Risk.UNKNOWN, emptyList(), 0u, 0u)
        assertEquals(listOf(Line(UiText.Res(Msg.SCREEN_NOTHING, listOf("+447700900123")))), ScreeningView.lines(clear))
        val damaged = clear.copy(unreadableNotes = 1u)
        assertEquals(listOf(Line(UiText.Res(Msg.SCREEN_INCOMPLETE), warning = true)), ScreeningView.lines(damaged))
        val match = ScreenMatch(true, "+447700900123", Risk.DANGER, MatchSource.Alert("SWARM", AlertCategory.VIOLENCE), "hit a worker", false)
        val lines = ScreeningView.lines(clear.copy(matches = listOf(match), overall = Risk.DANGER))
        assertEquals(UiText.Res(Msg.REPORTED_BY, listOf("SWARM")), lines[0].text)
        assertTrue(lines[0].warning)
    }

    @Test
    fun lockedCallScreeningMatchesE164DigitsOnly() {
        val labels = listOf(CallLabel(447700900100, "A", Risk.CAUTION), CallLabel(447700900123, "Dan", Risk.DANGER))
        assertEquals("Dan", CallLabels.find(labels, "tel:+447700900123")?.label)
        assertEquals("Dan", CallLabels.find(labels, "+44 7700 900123")?.label)
        assertNull("national form cannot be matched without the core", CallLabels.find(labels, "07700900123"))
        assertNull(CallLabels.find(labels, "+447700900999"))
    }

    @Test
    fun theWaitAfterTooManyCodesComesFromTheCore() {
        assertEquals(300, Errors.retryAfterSeconds("too many wrong codes: try again in 300 seconds"))
    }

    @Test
    fun theLogicHasNoFrameworkImport() {
        val dir = File(System.getProperty("user.dir"), "app/src/main/kotlin/app/vigil/android/logic")
        val files = dir.listFiles { f -> f.name.endsWith(".kt") }.orEmpty()
        assertTrue(files.size >= 4)
        for (f in files) {
            val bad = f.readLines().filter { it.startsWith("import android.") || it.startsWith("import androidx.") }
            assertTrue("${f.name}: $bad", bad.isEmpty())
        }
    }
}
