package app.vigil.android

import android.Manifest
import android.app.Activity
import android.content.Intent
import android.os.Looper
import android.telephony.SmsManager
import app.vigil.android.logic.ActionMapper
import app.vigil.android.logic.AlarmPlanner
import app.vigil.android.logic.SendLedger
import app.vigil.android.logic.SmsResults
import app.vigil.core.Action
import app.vigil.core.ActionId
import app.vigil.core.ActionKind
import app.vigil.core.BuddyInput
import app.vigil.core.CheckinInput
import app.vigil.core.WatchAction
import app.vigil.core.types.Channel
import app.vigil.core.types.MessagePurpose
import app.vigil.core.types.Outcome
import java.time.Instant
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** Escalation with the app closed, against the real core: alarms, SMS results, re-arming. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class)
class EscalationTest {
    private lateinit var app: TestApp
    private lateinit var setup: Setup

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        shadowOf(app).grantPermissions(Manifest.permission.SEND_SMS, Manifest.permission.POST_NOTIFICATIONS)
        // USE_EXACT_ALARM is granted at install on a phone; Robolectric needs telling.
        org.robolectric.shadows.ShadowAlarmManager.setCanScheduleExactAlarms(true)
        setup = Setup(app)
    }

    private fun sms() = shadowOf(app.getSystemService(SmsManager::class.java))

    private fun onlyAlarm(): org.robolectric.shadows.ShadowAlarmManager.ScheduledAlarm {
        val alarms = app.alarms().scheduledAlarms
        assertEquals("exactly one alarm", 1, alarms.size)
        return alarms[0]
    }

    /** Fires the one alarm the way AlarmManager would: its PendingIntent, then the looper. */
    private fun fireAlarm() {
        val alarm = onlyAlarm()
        app.alarms().scheduledAlarms.clear()
        alarm.operation!!.send()
        shadowOf(Looper.getMainLooper()).idle()
    }

    private fun radio(pi: android.app.PendingIntent, result: Int, pdu: ByteArray? = null) {
        val fill = Intent()
        if (pdu != null) fill.putExtra("pdu", pdu).putExtra("format", "3gpp")
        pi.send(app, result, fill)
        shadowOf(Looper.getMainLooper()).idle()
    }

    @Test
    fun startingACheckinSetsExactlyOneAlarmAtTheCoresNextWakeup() {
        setup.startCheckin(60)
        Escalator.run(app)
        val alarm = onlyAlarm()
        assertEquals(setup.session.nextWakeup()!!.toEpochMilli(), alarm.triggerAtTime)
        assertTrue("allowed while idle", alarm.allowWhileIdle)
        assertEquals("exact", 0L, alarm.windowLengthMs)
        // Running again (the app reopened) replaces it rather than adding one.
        Escalator.run(app)
        onlyAlarm()
    }

    @Test
    fun lockedAndPastTheDeadlineTheBuddyGetsTheSmsWithThePlaceAndFailuresAreRetried() {
        setup.startCheckin(60)
        Escalator.run(app)
        app.lock()
        // Walk the alarms with the vault locked: reminder, overdue, then the alert.
        var sent: org.robolectric.shadows.ShadowSmsManager.TextSmsParams? = null
        var guard = 0
        while (sent == null) {
            check(guard++ < 10) { "no SMS after 10 alarms" }
            app.clock = java.time.Instant.ofEpochMilli(onlyAlarm().triggerAtTime)
            fireAlarm()
            sent = sms().lastSentTextMessageParams
        }
        assertEquals("+447400123456", sent.destinationAddress)
        assertTrue("the message names the booking's place", sent.text.contains("12 Example Street"))
        sms().clearLastSentTextMessageParams()

        // Not Sent before the radio says so: the core still waits for this id (its timeout),
        // and a tick at the timeout does not send a second copy while the first is in the radio.
        val runner = app.backgroundRunner()!!
        assertTrue(runner.nextWakeup()!! > app.clock)
        app.clock = runner.nextWakeup()!!
        fireAlarm()
        assertNull("one send per id while it is in the radio", sms().lastSentTextMessageParams)

        // The radio refuses it: Failed is reported, so the core retries after its back-off
        // instead of waiting out the 2-minute timeout of an unanswered send.
        val timeout = runner.nextWakeup()!!
        radio(sent.sentIntent, SmsManager.RESULT_ERROR_NO_SERVICE)
        val retryAt = runner.nextWakeup()!!
        assertTrue("Failed brings the retry forward", retryAt < timeout)
        assertEquals(retryAt.toEpochMilli(), onlyAlarm().triggerAtTime)
        app.clock = retryAt
        fireAlarm()
        val retry = sms().lastSentTextMessageParams
        assertNotNull("the failed SMS is sent again", retry)
        assertEquals(sent.text, retry.text)
        sms().clearLastSentTextMessageParams()

        // Sent, then delivered (twice: a duplicate report): never sent again for this id.
        radio(retry.sentIntent, Activity.RESULT_OK)
        radio(retry.deliveryIntent, Activity.RESULT_OK, statusReport(0x00))
        radio(retry.deliveryIntent, Activity.RESULT_OK, statusReport(0x00))
        assertTrue(runner.nextWakeup()!! > app.clock)
        if (app.alarms().scheduledAlarms.isNotEmpty()) fireAlarm()
        assertNull("a delivered SMS is not sent again", sms().lastSentTextMessageParams)
    }

    @Test
    fun aDeliveryFailureAfterSentIsReportedAndRetried() {
        setup.startCheckin(60)
        app.lock()
        app.clock = app.clock.plusSeconds(71 * 60)
        Escalator.run(app)
        val sent = sms().lastSentTextMessageParams!!
        sms().clearLastSentTextMessageParams()
        radio(sent.sentIntent, Activity.RESULT_OK)
        radio(sent.deliveryIntent, Activity.RESULT_OK, statusReport(0x41))
        val runner = app.backgroundRunner()!!
        assertTrue("undelivered is acted on at once", runner.nextWakeup()!! <= app.clock)
        assertEquals(app.clock.toEpochMilli(), onlyAlarm().triggerAtTime)
        fireAlarm()
        assertEquals(sent.text, sms().lastSentTextMessageParams!!.text)
    }

    @Test
    fun bootClockAndTimeZoneChangesReArmTheSameAlarm() {
        setup.startCheckin(60)
        Escalator.run(app)
        val at = onlyAlarm().triggerAtTime
        app.lock()
        for (action in listOf(Intent.ACTION_BOOT_COMPLETED, Intent.ACTION_LOCKED_BOOT_COMPLETED, Intent.ACTION_TIME_CHANGED, Intent.ACTION_TIMEZONE_CHANGED, Intent.ACTION_MY_PACKAGE_REPLACED)) {
            app.alarms().scheduledAlarms.clear() // a reboot loses every alarm
            RearmReceiver().onReceive(app, Intent(action))
            assertEquals(action, at, onlyAlarm().triggerAtTime)
        }
        // The receiver is declared for each of them.
        val resolved = app.packageManager.queryBroadcastReceivers(Intent(Intent.ACTION_LOCKED_BOOT_COMPLETED).setPackage(app.packageName), 0)
        assertTrue(resolved.any { it.activityInfo.name == RearmReceiver::class.java.name })
    }

    @Test
    fun withoutExactAlarmsAnInexactAlarmIsSetAndSheIsTold() {
        org.robolectric.shadows.ShadowAlarmManager.setCanScheduleExactAlarms(false)
        try {
            setup.startCheckin(60)
            Escalator.run(app)
            val alarm = onlyAlarm()
            assertEquals(setup.session.nextWakeup()!!.toEpochMilli(), alarm.triggerAtTime)
            assertNotEquals("inexact", 0L, alarm.windowLengthMs)
            val nm = shadowOf(app.getSystemService(android.app.NotificationManager::class.java))
            assertNotNull("she is told alerts may be late", nm.getNotification(Notifier.ID_EXACT_ALARM))
        } finally {
            org.robolectric.shadows.ShadowAlarmManager.setCanScheduleExactAlarms(true)
        }
    }

    @Test
    fun onAndroid8To11WhileDozingAWakeUpUnder15MinutesAwayIsAnAlarmClockThatStillRunsTheEscalation() = dozingOnAndroid11 { power ->
        setup.startCheckin(10)
        Escalator.run(app)
        val alarm = onlyAlarm()
        val due = setup.session.nextWakeup()!!.toEpochMilli()
        assertEquals(due, alarm.triggerAtTime)
        assertEquals("an alarm clock", due, alarm.alarmClockInfo!!.triggerTime)
        val show = shadowOf(alarm.alarmClockInfo!!.showIntent)
        assertEquals("tapping it opens the unlock screen", UnlockActivity::class.java.name, show.savedIntent.component!!.className)
        // It fires like any other: the core ticks and the next wake-up is armed.
        app.minutes(10)
        fireAlarm()
        assertTrue(setup.session.nextWakeup()!!.toEpochMilli() > due)
        onlyAlarm()
        // Awake, or Android 12+: the usual exact while-idle alarm.
        power.setIsDeviceIdleMode(false)
        Escalator.run(app)
        assertNull(onlyAlarm().alarmClockInfo)
        assertTrue(onlyAlarm().allowWhileIdle)
        power.setIsDeviceIdleMode(true)
        app.sdk = 34
        Escalator.run(app)
        assertNull(onlyAlarm().alarmClockInfo)
        // Battery Saver throttles the same way on Android 9-11, dozing or not.
        app.sdk = 30
        power.setIsDeviceIdleMode(false)
        power.setIsPowerSaveMode(true)
        Escalator.run(app)
        assertNotNull(onlyAlarm().alarmClockInfo)
        // A wipe's clean-up cancels it like any alarm.
        Escalator.cancelAlarm(app)
        assertTrue(app.alarms().scheduledAlarms.isEmpty())
    }

    @Test
    fun afterADuressCheckInNoAlarmClockShowsEvenWhileDozingOnAndroid8To11() = dozingOnAndroid11 {
        setup.startCheckin(60)
        Escalator.run(app)
        app.minutes(5)
        setup.session.checkIn("9876", app.now())
        Escalator.run(app)
        // The silent alert goes on being sent and repeated, with the exact while-idle
        // alarm: no alarm icon, no next-alarm time on the lock screen.
        assertNotNull("the silent alert was sent", sms().lastSentTextMessageParams)
        val next = onlyAlarm()
        assertNull(next.alarmClockInfo)
        assertTrue(next.triggerAtTime - app.now().toEpochMilli() < AlarmPlanner.DOZE_THROTTLE_MILLIS)
    }

    /** Runs `block` as on an Android 11 phone in Doze, then puts the test app back. */
    private fun dozingOnAndroid11(block: (org.robolectric.shadows.ShadowPowerManager) -> Unit) {
        val power = shadowOf(app.getSystemService(android.os.PowerManager::class.java))
        app.sdk = 30
        power.setIsDeviceIdleMode(true)
        try {
            block(power)
        } finally {
            app.sdk = 34
            power.setIsDeviceIdleMode(false)
            power.setIsPowerSaveMode(false)
        }
    }

    @Test
    fun whenTheCoreCannotSayTheNextWakeUpTheAlarmIsSetToAskAgainNotCancelled() {
        setup.startCheckin(60)
        Escalator.run(app)
        onlyAlarm()
        // The core's answer fails (storage busy, a damaged row): before, that read as
        // "nothing pending" and cancelled the alarm, and with it every later step.
        val failing = object : Escalation {
            override fun tick(now: Instant) = emptyList<Action>()
            override fun watchTick(now: Instant) = emptyList<WatchAction>()
            override fun receiveWatch(text: String, now: Instant) = throw UnsupportedOperationException()
            override fun nextWakeup(): Instant? = throw IllegalStateException("database is locked")
            override fun reportOutcome(id: ActionId, outcome: Outcome, now: Instant) {}
            override fun acknowledgeWatch(watchId: String, now: Instant) {}
        }
        Escalator.arm(app, failing)
        val alarm = onlyAlarm()
        assertEquals(app.now().plusSeconds(120).toEpochMilli(), alarm.triggerAtTime)
        assertTrue(alarm.allowWhileIdle)
    }

    @Test
    fun aDiscreetMessageOnAChannelThatWouldShowIsReportedFailedAndShowsNothing() {
        setup.startCheckin(60)
        val action = Action(
            ActionId("00112233445566778899aabbccddeeff", 1u), 1u,
            ActionKind.MessageBuddy(
                "b", "Ana", "+447400123456", Channel.OTHER_APP, "en", MessagePurpose.DURESS, "I am NOT safe", true,
            ),
        )
        val reported = mutableListOf<Outcome>()
        val esc = object : Escalation {
            override fun tick(now: Instant) = listOf(action)
            override fun watchTick(now: Instant) = emptyList<WatchAction>()
            override fun receiveWatch(text: String, now: Instant) = throw UnsupportedOperationException()
            override fun nextWakeup(): Instant? = null
            override fun reportOutcome(id: ActionId, outcome: Outcome, now: Instant) { reported += outcome }
            override fun acknowledgeWatch(watchId: String, now: Instant) {}
        }
        val request = ActionMapper.map(action)
        Escalator.defaultPerformer(app, esc, SendLedger(), request, app.now())
        assertTrue(reported.single() is Outcome.Failed)
        val nm = shadowOf(app.getSystemService(android.app.NotificationManager::class.java))
        assertTrue("nothing shown", nm.allNotifications.none { it.extras.getCharSequence(android.app.Notification.EXTRA_TEXT)?.contains("NOT safe") == true })
        assertNull(shadowOf(app).nextStartedActivity)
    }

    @Test
    fun aSentResultThatComesWhileTheVaultCannotOpenIsKeptAndNoSecondSmsGoes() {
        setup.startCheckin(60)
        app.lock()
        app.minutes(71)
        Escalator.run(app)
        val first = sms().lastSentTextMessageParams!!
        sms().clearLastSentTextMessageParams()
        // The radio says "sent" while the Keystore cannot be read: the receiver must not
        // crash, and the answer must not be lost.
        app.keys.failGet = true
        try {
            radio(first.sentIntent, Activity.RESULT_OK)
        } finally {
            app.keys.failGet = false
        }
        // The core never heard it and issues the SMS again after its 2-minute wait: the
        // ledger says it is out, so Sent is reported and no second copy goes.
        app.minutes(3)
        Escalator.run(app)
        assertNull("no second copy", sms().lastSentTextMessageParams)
    }

    @Test
    fun nothingArmedMeansNoAlarm() {
        Escalator.run(app)
        assertTrue(app.alarms().scheduledAlarms.isEmpty())
    }

    @Test
    fun theSmsResultNumbersAreTheFrameworks() {
        assertEquals(Activity.RESULT_OK, SmsResults.RESULT_OK)
        assertEquals(SmsManager.RESULT_ERROR_GENERIC_FAILURE, SmsResults.GENERIC_FAILURE)
        assertEquals(SmsManager.RESULT_ERROR_RADIO_OFF, SmsResults.RADIO_OFF)
        assertEquals(SmsManager.RESULT_ERROR_NULL_PDU, SmsResults.NULL_PDU)
        assertEquals(SmsManager.RESULT_ERROR_NO_SERVICE, SmsResults.NO_SERVICE)
        assertEquals(SmsManager.RESULT_ERROR_LIMIT_EXCEEDED, SmsResults.LIMIT_EXCEEDED)
    }

    @Test
    fun withoutTheSmsPermissionTheCoreHearsWhyAndNothingIsSent() {
        shadowOf(app).denyPermissions(Manifest.permission.SEND_SMS)
        setup.startCheckin(60)
        app.lock()
        app.clock = app.clock.plusSeconds(71 * 60)
        Escalator.run(app)
        assertNull(sms().lastSentTextMessageParams)
        // Failed was reported: the retry comes after the back-off, not the 2-minute timeout.
        assertTrue(app.backgroundRunner()!!.nextWakeup()!! < app.clock.plusSeconds(120))
    }

    /** A check-in due in an hour whose one buddy, Bea, prefers calls (permission granted). */
    private fun checkinWithBeaOnTheCallChannel() {
        shadowOf(app).grantPermissions(Manifest.permission.CALL_PHONE)
        val caller = setup.session.addBuddy(BuddyInput("Bea", "07400 654321", Channel.CALL, "en"))
        setup.session.startCheckin(
            CheckinInput(app.clock.plusSeconds(3600), listOf(caller.id), setup.bookingId, null, null, null),
            app.clock,
        )
    }

    @Test
    fun aCallIsPlacedOnlyWithTheAppInFrontAndFromTheBackgroundTheCoreMovesOnToSms() {
        checkinWithBeaOnTheCallChannel()
        app.lock()
        app.clock = app.clock.plusSeconds(71 * 60)
        val escalated = app.clock
        Escalator.run(app)
        // The app is closed (Android 10+ would drop the call screen): no call, and the
        // core is told, so it moves on to the next channel within minutes.
        assertNull(shadowOf(app).nextStartedActivity)
        var rounds = 0
        while (sms().lastSentTextMessageParams == null && rounds++ < 10) {
            app.clock = java.time.Instant.ofEpochMilli(onlyAlarm().triggerAtTime)
            fireAlarm()
        }
        assertEquals("+447400654321", sms().lastSentTextMessageParams!!.destinationAddress)
        assertTrue("by SMS within 5 minutes", app.clock <= escalated.plusSeconds(5 * 60))
        assertNull(shadowOf(app).nextStartedActivity)
    }

    @Test
    fun withTheAppInFrontTheCallChannelPlacesTheCall() {
        checkinWithBeaOnTheCallChannel()
        org.robolectric.Robolectric.buildActivity(UnlockActivity::class.java).setup()
        assertTrue(app.inForeground)
        app.clock = app.clock.plusSeconds(71 * 60)
        Escalator.run(app)
        var call = shadowOf(app).nextStartedActivity
        while (call != null && call.action != Intent.ACTION_CALL) call = shadowOf(app).nextStartedActivity
        assertNotNull("the call is placed", call)
        assertEquals("tel", call!!.data!!.scheme)
        assertEquals("+447400654321", call.data!!.schemeSpecificPart)
        assertNull("no SMS to a call-channel buddy first", sms().lastSentTextMessageParams)
    }

    companion object {
        /** A GSM SMS-STATUS-REPORT PDU with TP-Status [status] (0 delivered, 0x40+ failed). */
        fun statusReport(status: Int): ByteArray {
            val hex = "00" + "06" + "01" + "0C91" + "447400214365" + "62118202000000" + "62118202010000" + "%02X".format(status)
            return hex.chunked(2).map { it.toInt(16).toByte() }.toByteArray()
        }
    }
}
