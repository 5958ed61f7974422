package app.vigil.android

import android.Manifest
import android.app.Activity
import android.app.KeyguardManager
import android.app.Notification
import android.app.NotificationManager
import android.content.Intent
import android.media.AudioAttributes
import android.os.Looper
import android.telephony.SmsManager
import android.view.View
import android.widget.Button
import android.widget.TextView
import app.vigil.android.WatchTest.Companion.OTHER_NUMBER
import app.vigil.android.WatchTest.Companion.smsReceived
import app.vigil.android.logic.Refusals
import app.vigil.core.BuddyInput
import app.vigil.core.CheckinInput
import app.vigil.core.PairingInput
import app.vigil.core.Session
import app.vigil.core.Vault
import app.vigil.core.WatchActionKind
import app.vigil.core.types.Channel
import app.vigil.core.types.Outcome
import app.vigil.core.types.WatchPhase
import java.io.File
import java.time.Duration
import java.time.Instant
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/**
 * Watch over me, the buddy's side of an alarm, against the real core: the alarm steps on
 * the alarm channel with a full-screen intent to [AlarmActivity], what that screen shows
 * locked and unlocked (a duress alarm the same as a missed deadline on the lock screen),
 * "I've got it" stopping the later steps; and refused SMS recorded and told.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class)
class WatchAlarmTest {
    private lateinit var app: TestApp
    private lateinit var phone: Setup
    private lateinit var other: Session
    private lateinit var otherBuddyId: String

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        shadowOf(app).grantPermissions(Manifest.permission.SEND_SMS, Manifest.permission.RECEIVE_SMS, Manifest.permission.POST_NOTIFICATIONS)
        org.robolectric.shadows.ShadowAlarmManager.setCanScheduleExactAlarms(true)
        phone = Setup(app)
        other = Vault(File(app.filesDir, "other-phone.db").path).create(PASSPHRASE, ByteArray(32) { 7 }, app.kdfIterations())
        otherBuddyId = other.addBuddy(BuddyInput("Bea", "+447400654321", Channel.SMS, "en")).id
        other.setCheckinCodes("1111", "2222")
        val mine = phone.session.ownPairingCode("Bea")
        val theirs = other.ownPairingCode("Mia")
        other.addPairing(PairingInput(mine, other.previewPairing(mine).sas, "Bea", "+447400654321", otherBuddyId), app.now())
        phone.session.addPairing(PairingInput(theirs, phone.session.previewPairing(theirs).sas, "Mia", OTHER_NUMBER, null), app.now())
    }

    private fun idle() = shadowOf(Looper.getMainLooper()).idle()
    private fun nm() = shadowOf(app.getSystemService(NotificationManager::class.java))
    private fun keyguard() = shadowOf(app.getSystemService(KeyguardManager::class.java))
    private fun sms() = shadowOf(app.getSystemService(SmsManager::class.java))
    private fun held() = app.backgroundRunner()!!.use { it.heldWatches() }
    private fun onAlarmChannel(): List<Notification> = nm().allNotifications.filter { it.channelId == Notifier.CHANNEL_WATCH_ALARM }

    /** The other phone starts a check-in with this phone's owner as buddy; its WATCH text. */
    private fun otherStartsCheckin(minutes: Long): String {
        other.startCheckin(CheckinInput(app.now().plus(Duration.ofMinutes(minutes)), listOf(otherBuddyId), null, null, null, null), app.now())
        return otherSends()
    }

    /** The next message the other phone's shell sends, reported Sent. */
    private fun otherSends(): String {
        val send = other.watchTick(app.now()).first { it.kind is WatchActionKind.SendMessage }
        other.reportOutcome(send.id, Outcome.Sent, app.now())
        return (send.kind as WatchActionKind.SendMessage).text
    }

    /** An SMS arrives with the vault locked, and the ACK it sends is settled. */
    private fun arrives(text: String) {
        SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, text))
        idle()
        sms().lastSentTextMessageParams?.sentIntent?.send(app, Activity.RESULT_OK, Intent())
        idle()
    }

    /** Fires the app's one alarm (the alarm receiver's path, vault locked). */
    private fun fireAlarm() {
        val alarm = app.alarms().scheduledAlarms.single()
        app.alarms().scheduledAlarms.clear()
        app.clock = maxOf(app.clock, Instant.ofEpochMilli(alarm.triggerAtTime))
        alarm.operation!!.send()
        idle()
    }

    private fun untilAlarm() {
        var guard = 0
        while (held().single().phase != WatchPhase.ALARM) {
            check(guard++ < 12) { "no alarm after 12 wake-ups" }
            fireAlarm()
        }
    }

    /** The alarm screen as the full-screen intent opens it. */
    private fun alarmScreen(n: Notification): AlarmActivity {
        val intent = shadowOf(n.fullScreenIntent).savedIntent
        return Robolectric.buildActivity(AlarmActivity::class.java, intent).setup().get()
    }

    private fun Activity.tree(): List<String> = window.decorView.texts()
    private fun Activity.click(tag: String) {
        (window.decorView.findViewWithTag<View>(tag) as Button).performClick()
        idle()
    }

    /** What anyone sees on the locked phone, whatever the step and whatever the cause. */
    private fun lockScreen(): List<String> = listOf(
        "TextView:${app.getString(R.string.watch_alarm_public)}:",
        "TextView:${app.getString(R.string.alarm_unlock_hint)}:",
        "Button:${app.getString(R.string.alarm_got_it)}:",
        "TextView::",
        "Button:${app.getString(R.string.alarm_close)}:",
    )

    @Test
    fun theAlarmStepTakesTheScreenOnTheAlarmChannelAndIveGotItStopsTheLaterSteps() {
        arrives(otherStartsCheckin(30))
        untilAlarm()
        val watchId = held().single().id

        // The alarm channel: high importance, the alarm sound on the alarm stream, vibration.
        val channel = app.getSystemService(NotificationManager::class.java).getNotificationChannel(Notifier.CHANNEL_WATCH_ALARM)
        assertEquals(NotificationManager.IMPORTANCE_HIGH, channel.importance)
        assertEquals(AudioAttributes.USAGE_ALARM, channel.audioAttributes.usage)
        assertNotNull(channel.sound)
        assertTrue(channel.shouldVibrate())

        // The alarm step (and "call her", due at once): insistent, ongoing, a full-screen
        // intent to the alarm screen for this watch; nothing personal on the lock screen.
        val posted = onAlarmChannel()
        assertEquals(2, posted.size)
        for (n in posted) {
            assertEquals(Notification.CATEGORY_ALARM, n.category)
            assertTrue("insistent", n.flags and Notification.FLAG_INSISTENT != 0)
            assertTrue("ongoing", n.flags and Notification.FLAG_ONGOING_EVENT != 0)
            val screen = shadowOf(n.fullScreenIntent).savedIntent
            assertEquals(AlarmActivity::class.java.name, screen.component!!.className)
            assertEquals(watchId, screen.getStringExtra(AlarmActivity.EXTRA_WATCH))
            assertEquals(app.getString(R.string.watch_alarm_public), n.publicVersion!!.extras.getCharSequence(Notification.EXTRA_TITLE).toString())
            assertNull(n.publicVersion!!.extras.getCharSequence(Notification.EXTRA_TEXT))
        }
        val alarm = nm().getNotification("watch:$watchId:ALARM", Notifier.ID_WATCH)
        assertNotNull(alarm)

        // Locked: only the neutral words; "I've got it" asks for the unlock first.
        keyguard().setKeyguardLocked(true)
        val screen = alarmScreen(alarm)
        assertEquals(lockScreen(), screen.tree())
        screen.click("got-it")
        assertFalse("not acknowledged behind the lock", held().single().acknowledged)

        // She unlocks: acknowledged in the core, the details shown, the alarm withdrawn.
        keyguard().setKeyguardLocked(false)
        idle()
        assertTrue(held().single().acknowledged)
        val details = screen.window.decorView.findViewWithTag<TextView>("alarm-details").text.toString()
        assertTrue(details, details.contains("Mia"))
        assertEquals(app.getString(R.string.alarm_acknowledged), screen.window.decorView.findViewWithTag<TextView>("status").text.toString())
        assertTrue("no alarm left", onAlarmChannel().isEmpty())
        assertEquals(View.GONE, screen.window.decorView.findViewWithTag<View>("got-it").visibility)

        // The later step (call the emergency services, 10 minutes on) never comes.
        repeat(3) {
            app.minutes(10)
            if (app.alarms().scheduledAlarms.isNotEmpty()) fireAlarm() else Escalator.run(app)
        }
        assertNull(nm().getNotification("watch:$watchId:CALL_EMERGENCY", Notifier.ID_WATCH))
        assertTrue(onAlarmChannel().isEmpty())
    }

    @Test
    fun whenFullScreenIntentsAreRefusedTheAlarmStillComesAndTheWatchScreenOffersTheSetting() {
        app.setSession(app.vault.unlock(PASSPHRASE, app.secrets.getOrCreate(), app.now()))
        var screen = Robolectric.buildActivity(WatchActivity::class.java).setup().get()
        assertNull(screen.window.decorView.findViewWithTag<View>("allow-fullscreen"))

        app.fullScreenAllowed = false
        screen = Robolectric.buildActivity(WatchActivity::class.java).setup().get()
        assertTrue(screen.tree().any { it.contains(app.getString(R.string.watch_fullscreen_denied)) })
        screen.click("allow-fullscreen")
        val opened = shadowOf(screen).nextStartedActivity
        assertEquals(android.provider.Settings.ACTION_MANAGE_APP_USE_FULL_SCREEN_INTENT, opened.action)
        assertEquals("package:${app.packageName}", opened.dataString)

        // The alarm itself is posted all the same: the system shows it as a heads-up.
        app.lock()
        arrives(otherStartsCheckin(30))
        untilAlarm()
        assertTrue(onAlarmChannel().isNotEmpty())
    }

    @Test
    fun aSafeAfterTheAlarmStopsTheRingingAndSaysSo() {
        arrives(otherStartsCheckin(30))
        untilAlarm()
        val watchId = held().single().id
        assertTrue(onAlarmChannel().isNotEmpty())
        app.minutes(1)
        other.checkIn("1111", app.now())
        arrives(otherSends())
        assertTrue("the alarm is withdrawn", onAlarmChannel().isEmpty())
        val safe = nm().getNotification("watch:$watchId:SAFE_AFTER_ALARM", Notifier.ID_WATCH)
        assertNotNull(safe)
        assertEquals(Notifier.CHANNEL_ALERTS, safe.channelId)
        assertNull("good news does not take the screen", safe.fullScreenIntent)
    }

    @Test
    fun withoutAnAcknowledgementTheNextStepFollowsOnTheAlarmChannel() {
        arrives(otherStartsCheckin(30))
        untilAlarm()
        val watchId = held().single().id
        assertNull(nm().getNotification("watch:$watchId:CALL_EMERGENCY", Notifier.ID_WATCH))
        fireAlarm()
        val emergency = nm().getNotification("watch:$watchId:CALL_EMERGENCY", Notifier.ID_WATCH)
        assertNotNull("the next step comes when nobody said they have it", emergency)
        assertEquals(Notifier.CHANNEL_WATCH_ALARM, emergency.channelId)
        assertNotNull(emergency.fullScreenIntent)
    }

    @Test
    fun aDuressAlarmLooksTheSameOnTheLockScreenAndShowsTheDetailsUnlocked() {
        arrives(otherStartsCheckin(60))
        // The other phone checks in with the duress code: a DURESS-SAFE, alarm at once.
        other.checkIn("2222", app.now())
        arrives(otherSends())
        assertEquals(WatchPhase.ALARM, held().single().phase)
        val posted = onAlarmChannel()
        assertTrue(posted.isNotEmpty())
        for (n in posted) {
            assertEquals(app.getString(R.string.watch_alarm_public), n.publicVersion!!.extras.getCharSequence(Notification.EXTRA_TITLE).toString())
            assertNull(n.publicVersion!!.extras.getCharSequence(Notification.EXTRA_TEXT))
            keyguard().setKeyguardLocked(true)
            assertEquals(lockScreen(), alarmScreen(n).tree())
        }
        keyguard().setKeyguardLocked(false)
        val unlocked = alarmScreen(posted.first())
        assertTrue(unlocked.tree().toString(), unlocked.tree().any { it.contains("Mia") })
    }

    @Test
    fun aTamperedSmsIsRecordedAndToldOnceAnHourAndChangesNothing() {
        val watch = otherStartsCheckin(60)
        val i = watch.length / 2
        val tampered = watch.substring(0, i) + (if (watch[i] == 'A') 'B' else 'A') + watch.substring(i + 1)
        app.lock()

        SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, tampered))
        idle()
        assertTrue("nothing held", held().isEmpty())
        assertNull("nothing sent", sms().lastSentTextMessageParams)
        val notices = nm().allNotifications
        assertEquals(1, notices.size)
        val notice = notices.single()
        assertEquals(Notifier.CHANNEL_WATCH_NOTICES, notice.channelId)
        val forged = app.getString(R.string.watch_refused, app.getString(R.string.refusal_forged))
        assertEquals(forged, notice.extras.getCharSequence(Notification.EXTRA_TEXT).toString())
        // Nothing of the message or the sender in it.
        val shown = notice.extras.getCharSequence(Notification.EXTRA_TEXT).toString()
        assertFalse(shown.contains(OTHER_NUMBER) || shown.contains("VGL1") || shown.contains("Mia"))

        // The same again within the hour: recorded, not told again.
        app.getSystemService(NotificationManager::class.java).cancelAll()
        app.minutes(20)
        SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, tampered))
        idle()
        assertTrue(nm().allNotifications.isEmpty())
        // A cut-off message is another kind: told.
        SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, watch.substring(0, watch.length - 40)))
        idle()
        assertEquals(app.getString(R.string.watch_refused, app.getString(R.string.refusal_cut_off)),
            nm().allNotifications.single().extras.getCharSequence(Notification.EXTRA_TEXT).toString())

        // The watch screen lists them, newest first, with the reason.
        app.setSession(app.vault.unlock(PASSPHRASE, app.secrets.getOrCreate(), app.now()))
        val screen = Robolectric.buildActivity(WatchActivity::class.java).setup().get()
        val refused = screen.window.decorView.findViewWithTag<android.widget.LinearLayout>("refused").texts()
        assertEquals(3, refused.size)
        assertTrue(refused[0], refused[0].contains(app.getString(R.string.refusal_cut_off)))
        assertTrue(refused[2], refused[2].contains(app.getString(R.string.refusal_forged)))
        assertTrue(held().isEmpty())

        // The genuine message is still accepted.
        arrives(watch)
        assertEquals(1, held().size)
    }

    @Test
    fun aReplayedSmsIsRecordedButNeverNotified() {
        val watch = otherStartsCheckin(60)
        app.lock()
        arrives(watch)
        app.getSystemService(NotificationManager::class.java).cancelAll()
        repeat(2) {
            SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, watch))
            idle()
        }
        assertTrue("no notice for a replay", nm().allNotifications.none { it.channelId == Notifier.CHANNEL_WATCH_NOTICES })
        assertEquals(listOf(Refusals.Kind.REPLAYED, Refusals.Kind.REPLAYED), RefusalStore.load(app).entries.map { it.kind })
        assertEquals(1, held().size)
    }

    @Test
    fun anSmsThatIsNotAVigilMessageRecordsAndShowsNothing() {
        app.lock()
        SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, "Running 10 min late, see you soon"))
        idle()
        assertTrue(nm().allNotifications.isEmpty())
        assertTrue(RefusalStore.load(app).entries.isEmpty())
    }
}
