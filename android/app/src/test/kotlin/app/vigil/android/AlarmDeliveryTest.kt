package app.vigil.android

import android.Manifest
import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.content.Intent
import android.os.Looper
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import app.vigil.android.logic.ShellRequest
import app.vigil.core.ActionId
import app.vigil.core.Vault
import app.vigil.core.types.WatchNotice
import java.io.File
import org.junit.After
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
 * The ways an alarm could fail without a word, against the real core: notifications off or
 * SEND_SMS/CALL_PHONE not granted (warned and asked for), the buddy's alarm channel turned
 * off (reported not shown, warned), personal text on the lock screen (private channels,
 * neutral public versions), and a failing action leaving no alarm set.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class)
class AlarmDeliveryTest {
    private lateinit var app: TestApp
    private lateinit var phone: Setup

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        org.robolectric.shadows.ShadowAlarmManager.setCanScheduleExactAlarms(true)
        phone = Setup(app)
    }

    @After
    fun tearDown() {
        Escalator.performer = Escalator.defaultPerformer
    }

    private val all = arrayOf(Manifest.permission.SEND_SMS, Manifest.permission.CALL_PHONE, Manifest.permission.POST_NOTIFICATIONS)
    private fun nm() = app.getSystemService(NotificationManager::class.java)
    private fun idle() = shadowOf(Looper.getMainLooper()).idle()
    private fun android.app.Activity.has(tag: String) = window.decorView.findViewWithTag<View>(tag) != null
    private fun android.app.Activity.click(tag: String) {
        (window.decorView.findViewWithTag<View>(tag) as Button).performClick()
        idle()
    }

    @Test
    fun theWatchAndCheckinScreensWarnWhileAPermissionIsMissingAndAllowAsksForIt() {
        shadowOf(app).grantPermissions(Manifest.permission.POST_NOTIFICATIONS)
        shadowOf(app).denyPermissions(Manifest.permission.SEND_SMS, Manifest.permission.CALL_PHONE)
        for (cls in listOf(WatchActivity::class.java, CheckinActivity::class.java)) {
            val screen = Robolectric.buildActivity(cls).setup().get()
            assertTrue("${cls.simpleName} warns", screen.has("permissions-warning"))
            screen.click("permissions-allow")
            val asked = shadowOf(screen).lastRequestedPermission
            assertNotNull(asked)
            assertEquals(listOf(Manifest.permission.SEND_SMS, Manifest.permission.CALL_PHONE), asked.requestedPermissions.toList())
        }

        // All granted: no warning.
        shadowOf(app).grantPermissions(*all)
        for (cls in listOf(WatchActivity::class.java, CheckinActivity::class.java)) {
            assertFalse(cls.simpleName, Robolectric.buildActivity(cls).setup().get().has("permissions-warning"))
        }

        // Notifications turned off (Android 13+ fresh install, or by hand): warned again.
        shadowOf(nm()).setNotificationsEnabled(false)
        for (cls in listOf(WatchActivity::class.java, CheckinActivity::class.java)) {
            assertTrue(cls.simpleName, Robolectric.buildActivity(cls).setup().get().has("permissions-warning"))
        }
    }

    @Test
    fun armingACheckinAsksForSmsAndCalls() {
        shadowOf(app).grantPermissions(Manifest.permission.POST_NOTIFICATIONS)
        shadowOf(app).denyPermissions(Manifest.permission.SEND_SMS, Manifest.permission.CALL_PHONE)
        val screen = Robolectric.buildActivity(CheckinActivity::class.java).setup().get()
        screen.click("start")
        assertEquals(1, phone.session.listCheckins().checkins.size)
        val asked = shadowOf(screen).lastRequestedPermission
        assertNotNull("arming asks", asked)
        assertTrue(asked.requestedPermissions.contains(Manifest.permission.SEND_SMS))
        assertTrue(asked.requestedPermissions.contains(Manifest.permission.CALL_PHONE))
    }

    @Test
    fun savingAPairingAsksForNotifications() {
        shadowOf(app).grantPermissions(Manifest.permission.SEND_SMS, Manifest.permission.CALL_PHONE)
        shadowOf(app).denyPermissions(Manifest.permission.POST_NOTIFICATIONS)
        val other = Vault(File(app.filesDir, "other-phone.db").path).create(PASSPHRASE, ByteArray(32) { 7 }, app.kdfIterations())
        val theirs = other.ownPairingCode("Mia")
        val screen = Robolectric.buildActivity(PairingActivity::class.java).setup().get()
        (screen.window.decorView.findViewWithTag<View>("their-code") as EditText).setText(theirs)
        (screen.window.decorView.findViewWithTag<View>("sas") as EditText).setText(phone.session.previewPairing(theirs).sas)
        screen.click("pair-save")
        assertEquals(1, phone.session.listPairings().size)
        val asked = shadowOf(screen).lastRequestedPermission
        assertNotNull("saving asks", asked)
        assertEquals(listOf(Manifest.permission.POST_NOTIFICATIONS), asked.requestedPermissions.toList())
    }

    @Test
    fun iveGotItWithNoVaultLeftSaysNothingWasAcknowledged() {
        shadowOf(app).grantPermissions(*all)
        app.wiped()
        val intent = Intent(app, AlarmActivity::class.java)
            .putExtra(AlarmActivity.EXTRA_WATCH, "watch-1").putExtra(AlarmActivity.EXTRA_TEXT, "Mia missed her check-in")
        val screen = Robolectric.buildActivity(AlarmActivity::class.java, intent).setup().get()
        screen.click("got-it")
        assertEquals(app.getString(R.string.alarm_not_acknowledged), screen.window.decorView.findViewWithTag<TextView>("status").text.toString())
    }

    private fun alarm(notice: WatchNotice, text: String = "Mia missed her check-in at 12 Example Street") =
        ShellRequest.BuddyAlarm(ActionId("watch-1", 1u), "watch-1", notice, text)

    @Test
    fun aTurnedOffAlarmChannelIsNotReportedShownAndTheWatchScreenSaysSo() {
        shadowOf(app).grantPermissions(*all)
        Notifier.channels(app)
        var screen = Robolectric.buildActivity(WatchActivity::class.java).setup().get()
        assertFalse(screen.has("alarm-channel-warning"))

        // She turns the alarm channel off in the system settings.
        nm().getNotificationChannel(Notifier.CHANNEL_WATCH_ALARM).importance = NotificationManager.IMPORTANCE_NONE
        assertFalse("not shown, so not Sent", Notifier.buddyAlarm(app, alarm(WatchNotice.ALARM)))
        assertTrue(shadowOf(nm()).allNotifications.none { it.channelId == Notifier.CHANNEL_WATCH_ALARM })
        screen = Robolectric.buildActivity(WatchActivity::class.java).setup().get()
        assertTrue(screen.has("alarm-channel-warning"))

        // Silenced (importance LOW: no sound) still shows, but the screen warns.
        nm().getNotificationChannel(Notifier.CHANNEL_WATCH_ALARM).importance = NotificationManager.IMPORTANCE_LOW
        assertTrue(Notifier.buddyAlarm(app, alarm(WatchNotice.ALARM)))
        assertTrue(Robolectric.buildActivity(WatchActivity::class.java).setup().get().has("alarm-channel-warning"))

        // Her own notices likewise: a turned-off channel is not "told".
        nm().getNotificationChannel(Notifier.CHANNEL_ALERTS).importance = NotificationManager.IMPORTANCE_NONE
        assertFalse(Notifier.notice(app, "n", "Your check-in is due", urgent = true))
    }

    @Test
    fun everyChannelThatCanCarryPersonalTextIsPrivateAndEveryNotificationHasANeutralPublicVersion() {
        shadowOf(app).grantPermissions(*all)
        // An installed phone of an earlier version has the old channels, created public.
        nm().createNotificationChannel(NotificationChannel("alerts", "old", NotificationManager.IMPORTANCE_HIGH))
        nm().createNotificationChannel(NotificationChannel("watch-notices", "old", NotificationManager.IMPORTANCE_LOW))
        Notifier.channels(app)
        assertNull(nm().getNotificationChannel("alerts"))
        assertNull(nm().getNotificationChannel("watch-notices"))
        for (id in listOf(Notifier.CHANNEL_ALERTS, Notifier.CHANNEL_WATCH_ALARM, Notifier.CHANNEL_WATCH_NOTICES)) {
            assertEquals(id, Notification.VISIBILITY_PRIVATE, nm().getNotificationChannel(id).lockscreenVisibility)
        }

        // Reminder and safe-after-alarm (alerts), the alarm, the details after "I've got it"
        // (watch notices), a notice from the core, a refusal.
        assertTrue(Notifier.buddyAlarm(app, alarm(WatchNotice.REMINDER, "Mia's check-in was due")))
        assertTrue(Notifier.buddyAlarm(app, alarm(WatchNotice.ALARM)))
        Notifier.watchDetails(app, "watch-1", "Mia used her duress code at 12 Example Street")
        assertTrue(Notifier.notice(app, "n", "Ana was sent your location", urgent = true))
        Notifier.refusal(app, "forged", "A message could not be read")
        val posted = shadowOf(nm()).allNotifications
        assertEquals(5, posted.size)
        val neutral = setOf(app.getString(R.string.notice_title), app.getString(R.string.watch_alarm_public))
        for (n in posted) {
            assertTrue(n.channelId, n.channelId in setOf(Notifier.CHANNEL_ALERTS, Notifier.CHANNEL_WATCH_ALARM, Notifier.CHANNEL_WATCH_NOTICES))
            assertEquals(Notification.VISIBILITY_PRIVATE, n.visibility)
            val public = n.publicVersion
            assertNotNull(public)
            assertTrue(public!!.extras.getCharSequence(Notification.EXTRA_TITLE).toString() in neutral)
            assertNull(public.extras.getCharSequence(Notification.EXTRA_TEXT))
        }
    }

    @Test
    fun anActionThatThrowsStillLeavesTheAlarmArmedAtTheNextWakeup() {
        shadowOf(app).grantPermissions(*all)
        phone.startCheckin(minutes = 30)
        app.minutes(31)
        var performed = 0
        Escalator.performer = { _, _, _, _, _ ->
            performed++
            throw IllegalStateException("boom")
        }
        app.alarms().scheduledAlarms.clear()
        Escalator.run(app)
        assertTrue("something was due", performed > 0)
        val next = app.backgroundRunner()!!.use { it.nextWakeup() }
        assertNotNull(next)
        val armed = app.alarms().peekNextScheduledAlarm()
        assertNotNull("armed after a failure", armed)
        assertEquals(maxOf(next!!, app.now()).toEpochMilli(), armed!!.triggerAtTime)
    }
}
