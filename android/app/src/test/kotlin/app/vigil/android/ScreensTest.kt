package app.vigil.android

import android.Manifest
import android.app.Activity
import android.app.NotificationManager
import android.content.ComponentName
import android.content.pm.PackageManager
import android.os.Looper
import android.telephony.SmsManager
import android.view.View
import android.view.WindowManager
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import app.vigil.android.logic.Refusals
import app.vigil.core.VigilException
import java.io.File
import java.time.Duration
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
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

/** The screens against the real core: unlock, duress, bookings, check-in, wipe, camouflage. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class)
class ScreensTest {
    private lateinit var app: TestApp

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        shadowOf(app).grantPermissions(Manifest.permission.SEND_SMS, Manifest.permission.POST_NOTIFICATIONS)
        // USE_EXACT_ALARM is granted at install on a phone; Robolectric needs telling.
        org.robolectric.shadows.ShadowAlarmManager.setCanScheduleExactAlarms(true)
    }

    private fun Activity.view(tag: String): View = window.decorView.findViewWithTag<View>(tag) ?: error("no view tagged $tag")
    private fun Activity.type(tag: String, text: String) = (view(tag) as EditText).setText(text)
    private fun Activity.click(tag: String) {
        (view(tag) as Button).performClick()
        shadowOf(Looper.getMainLooper()).idle()
    }
    private fun Activity.status(): String = (view("status") as TextView).text.toString()
    private fun Activity.tree(): List<String> = window.decorView.texts()

    /** Unlocks through the screen and returns the screen it opens, created. */
    private fun unlockWith(passphrase: String): Activity {
        val unlock = Robolectric.buildActivity(UnlockActivity::class.java).setup().get()
        unlock.type("passphrase", passphrase)
        unlock.click("unlock")
        val next = shadowOf(unlock).nextStartedActivity ?: error("unlock did not open a screen: ${unlock.status()}")
        return Robolectric.buildActivity(HomeActivity::class.java, next).setup().get()
    }

    private fun notifications(): List<String> =
        shadowOf(app.getSystemService(NotificationManager::class.java)).allNotifications
            .map { "${it.extras.getCharSequence("android.title")}|${it.extras.getCharSequence("android.text")}" }

    @Test
    fun everyWindowIsSecureAndAWrongPassphraseSaysSo() {
        Setup(app).session.lock()
        app.lock()
        val unlock = Robolectric.buildActivity(UnlockActivity::class.java).setup().get()
        assertTrue(unlock.window.attributes.flags and WindowManager.LayoutParams.FLAG_SECURE != 0)
        unlock.type("passphrase", "not it")
        unlock.click("unlock")
        assertEquals(app.getString(R.string.wrong_passphrase), unlock.status())
        assertNull(app.session)
        val home = unlockWith(PASSPHRASE)
        assertTrue(home.window.attributes.flags and WindowManager.LayoutParams.FLAG_SECURE != 0)
    }

    @Test
    fun goingToTheBackgroundLocks() {
        Setup(app)
        val home = Robolectric.buildActivity(HomeActivity::class.java).setup()
        assertNotNull(app.openSession())
        home.pause().stop()
        assertNull("the last screen stopping locks the vault", app.session)
    }

    @Test
    fun theDuressPassphraseLooksExactlyLikeTheRealOneAndAlertsSilently() {
        val setup = Setup(app)
        setup.session.setDuress(PASSPHRASE, DURESS, false, true, emptyList(), app.now())
        app.lock()
        val sms = shadowOf(app.getSystemService(SmsManager::class.java))

        val real = unlockWith(PASSPHRASE).tree()
        val realNotifications = notifications()
        assertNull("a real unlock alerts nobody", sms.lastSentTextMessageParams)
        app.lock()

        val duress = unlockWith(DURESS).tree()
        assertEquals("same screen", real, duress)
        assertEquals("no notification tells them apart", realNotifications, notifications())
        val alert = sms.lastSentTextMessageParams
        assertNotNull("the buddy is alerted", alert)
        assertEquals("+447400123456", alert.destinationAddress)
    }

    @Test
    fun theDuressCodeLooksExactlyLikeANormalCheckIn() {
        val setup = Setup(app)
        val sms = shadowOf(app.getSystemService(SmsManager::class.java))
        fun checkInWith(code: String): Pair<List<String>, List<String>> {
            setup.startCheckin(60)
            val screen = Robolectric.buildActivity(CheckinActivity::class.java).setup().get()
            screen.type("code", code)
            screen.click("checkin")
            return screen.tree() to notifications()
        }
        val normal = checkInWith("4321")
        assertNull(sms.lastSentTextMessageParams)
        val duress = checkInWith("9876")
        assertEquals("same screen", normal.first, duress.first)
        assertEquals("same notifications", normal.second, duress.second)
        assertTrue(normal.first.any { it.contains(app.getString(R.string.checked_in)) })
        val silent = sms.lastSentTextMessageParams
        assertNotNull("buddies are alerted silently", silent)
    }

    @Test
    fun aWrongCodeSaysSoAndKeepsTheCheckinArmed() {
        val setup = Setup(app)
        setup.startCheckin(60)
        val screen = Robolectric.buildActivity(CheckinActivity::class.java).setup().get()
        screen.type("code", "0000")
        screen.click("checkin")
        assertEquals(app.getString(R.string.wrong_code), screen.status())
        assertEquals(1, setup.session.listCheckins().checkins.size)
    }

    @Test
    fun aBookingTheCoreRefusesKeepsWhatWasTyped() {
        val setup = Setup(app)
        val before = setup.session.listBookings(null, null).bookings.size
        val screen = Robolectric.buildActivity(BookingsActivity::class.java).setup().get()
        screen.type("client", "Tall guy")
        screen.type("phone", "07700 900456")
        screen.type("time", "tomorrow evening")
        screen.type("duration", "0")
        screen.type("address", "Flat 3")
        screen.click("save")
        assertNotNull("a time that cannot be read is named", (screen.view("time") as EditText).error)
        assertEquals("tomorrow evening", (screen.view("time") as EditText).text.toString())

        // The core's rule (the end must be after the start) comes back beside the field.
        screen.type("time", "2026-12-01 21:00")
        screen.click("save")
        val duration = (screen.view("duration") as EditText).error?.toString() ?: ""
        assertTrue("the core's words beside the duration: '$duration'", duration.contains("end time"))
        for ((tag, typed) in listOf("client" to "Tall guy", "phone" to "07700 900456", "time" to "2026-12-01 21:00", "duration" to "0", "address" to "Flat 3")) {
            assertEquals(tag, typed, (screen.view(tag) as EditText).text.toString())
        }
        assertEquals("nothing stored", before, setup.session.listBookings(null, null).bookings.size)

        screen.type("duration", "90")
        screen.click("save")
        assertEquals(app.getString(R.string.saved), screen.status())
        val stored = setup.session.listBookings(null, null).bookings
        assertEquals(before + 1, stored.size)
        assertTrue(stored.any { it.details.clientLabel == "Tall guy" && it.details.address == "Flat 3" })
    }

    @Test
    fun bookingsCanBeEditedAndDeleted() {
        val setup = Setup(app)
        val screen = Robolectric.buildActivity(BookingsActivity::class.java).setup().get()
        screen.click("edit-${setup.bookingId}")
        assertEquals("New client", (screen.view("client") as EditText).text.toString())
        screen.type("client", "Renamed")
        screen.click("save")
        assertEquals("Renamed", setup.session.getBooking(setup.bookingId).details.clientLabel)
        screen.click("edit-${setup.bookingId}")
        screen.click("delete")
        assertTrue(setup.session.listBookings(null, null).bookings.none { it.id == setup.bookingId })
    }

    @Test
    fun panicWipeDeletesTheVaultFilesAndTheKeystoreKey() {
        Setup(app)
        RefusalStore.record(app, Refusals.Kind.FORGED)
        val screen = Robolectric.buildActivity(SettingsActivity::class.java).setup().get()
        screen.click("wipe")
        assertTrue(app.vaultFile.exists())
        app.clock = app.clock.plus(Duration.ofSeconds(5))
        shadowOf(Looper.getMainLooper()).idleFor(Duration.ofSeconds(5))
        assertFalse("vault file", app.vaultFile.exists())
        assertTrue("no vault files left", app.storage.filesDir.listFiles().orEmpty().none { it.name.startsWith("vault") })
        assertFalse("keystore alias", app.keys.exists(DeviceSecretStore.ALIAS))
        assertFalse("wrapped secret", File(app.storage.filesDir, "device-secret.bin").exists())
        assertTrue("no refused-message list", RefusalStore.load(app).entries.isEmpty())
        assertNull(app.session)
    }

    @Test
    fun aCancelledWipeChangesNothing() {
        val setup = Setup(app)
        val bookings = setup.session.listBookings(null, null)
        val screen = Robolectric.buildActivity(SettingsActivity::class.java).setup().get()
        screen.click("wipe")
        screen.click("wipe-cancel")
        assertEquals(app.getString(R.string.panic_wipe_cancelled), screen.status())
        app.clock = app.clock.plus(Duration.ofSeconds(30))
        shadowOf(Looper.getMainLooper()).idleFor(Duration.ofSeconds(30))
        assertTrue(app.vaultFile.exists())
        assertTrue(app.keys.exists(DeviceSecretStore.ALIAS))
        app.lock()
        val again = app.vault.unlock(PASSPHRASE, app.secrets.getOrCreate(), app.now())
        assertEquals(bookings, again.listBookings(null, null))
    }

    @Test
    fun camouflageSwapsTheLauncherAlias() {
        Setup(app)
        val screen = Robolectric.buildActivity(SettingsActivity::class.java).setup().get() as SettingsActivity
        val pm = app.packageManager
        val vigil = ComponentName(app, "app.vigil.android.LauncherVigil")
        val notes = ComponentName(app, "app.vigil.android.LauncherNotes")
        screen.setCamouflage(true)
        assertEquals(PackageManager.COMPONENT_ENABLED_STATE_ENABLED, pm.getComponentEnabledSetting(notes))
        assertEquals(PackageManager.COMPONENT_ENABLED_STATE_DISABLED, pm.getComponentEnabledSetting(vigil))
        screen.setCamouflage(false)
        assertEquals(PackageManager.COMPONENT_ENABLED_STATE_DISABLED, pm.getComponentEnabledSetting(notes))
        assertEquals(PackageManager.COMPONENT_ENABLED_STATE_ENABLED, pm.getComponentEnabledSetting(vigil))
    }

    @Test
    fun badInputOnSettingsSaysWhatIsWrong() {
        Setup(app)
        val screen = Robolectric.buildActivity(SettingsActivity::class.java).setup().get()
        screen.type("buddy-name", "Bo")
        screen.type("buddy-phone", "not a number")
        screen.click("buddy-add")
        assertTrue("a clear message", screen.status().isNotEmpty())
        assertEquals("kept", "not a number", (screen.view("buddy-phone") as EditText).text.toString())
        screen.type("unlock-limit", "many")
        screen.click("limit-save")
        assertNotNull((screen.view("unlock-limit") as EditText).error)
    }

    @Test
    fun theDeviceSecretIsStoredOnlyWrapped() {
        val secret = app.secrets.getOrCreate()
        assertEquals(32, secret.size)
        val stored = File(app.storage.filesDir, "device-secret.bin").readBytes()
        assertFalse(stored.toList().windowed(32).any { it == secret.toList() })
        assertTrue(secret.contentEquals(app.secrets.getOrCreate()))
        app.secrets.delete()
        assertFalse(app.keys.exists(DeviceSecretStore.ALIAS))
        assertNotEquals(secret.toList(), app.secrets.getOrCreate().toList())
    }

    @Test
    fun lockedSessionsSendScreensBackToUnlock() {
        Setup(app)
        app.lock()
        val screen = Robolectric.buildActivity(BookingsActivity::class.java).setup().get()
        assertTrue(screen.isFinishing)
        assertEquals(UnlockActivity::class.java.name, shadowOf(screen).nextStartedActivity.component!!.className)
        try {
            app.vault.unlock("nope", app.secrets.getOrCreate(), app.now())
        } catch (e: VigilException.WrongPassphrase) {
            return
        }
        error("wrong passphrase accepted")
    }

    @Test
    fun exportGoesThroughTheSystemFilePickerWithoutLockingOnTheWay() {
        Setup(app)
        val controller = Robolectric.buildActivity(SettingsActivity::class.java).setup()
        val screen = controller.get()
        screen.type("backup-passphrase", "backup passphrase words")
        screen.click("export")
        val request = shadowOf(screen).nextStartedActivityForResult
        assertEquals(android.content.Intent.ACTION_CREATE_DOCUMENT, request.intent.action)
        controller.pause().stop() // the picker covers the app
        assertNotNull("leaving for the picker is not going to the background", app.openSession())
        val target = File(app.cacheDir, "picked.vigil")
        shadowOf(screen).receiveResult(request.intent, Activity.RESULT_OK, android.content.Intent().setData(android.net.Uri.fromFile(target)))
        assertTrue("the backup is written where she chose", target.length() > 0)
        assertTrue(screen.status().startsWith(app.getString(R.string.exported, 0).substringBefore(":")))
        assertFalse("no private copy is left", File(app.noBackupFilesDir, "export.vigil").exists())
    }

    @Test
    fun theCountdownShowsNothingPersonalAndTheLockScreenChecksIn() {
        val setup = Setup(app)
        setup.startCheckin(60)
        Escalator.run(app)
        app.lock()
        val nm = shadowOf(app.getSystemService(NotificationManager::class.java))
        val countdown = nm.getNotification(Notifier.ID_COUNTDOWN)
        assertNotNull("an ongoing countdown", countdown)
        assertTrue(countdown.flags and android.app.Notification.FLAG_ONGOING_EVENT != 0)
        assertEquals(app.getString(R.string.countdown_title), countdown.extras.getCharSequence("android.title").toString())
        val shown = countdown.extras.keySet().joinToString { "${countdown.extras.get(it)}" }
        for (secret in listOf("Ana", "12 Example Street", "New client", "+447400123456")) assertFalse(secret, shown.contains(secret))
        assertEquals(2, countdown.actions.size)

        val lockScreen = Robolectric.buildActivity(LockScreenCheckinActivity::class.java).setup().get()
        lockScreen.type("code", "9876") // the duress code: looks like any check-in
        lockScreen.click("checkin")
        assertEquals(app.getString(R.string.checked_in), lockScreen.status())
        assertNull("the countdown is gone", nm.getNotification(Notifier.ID_COUNTDOWN))
        assertTrue(app.backgroundRunner()!!.list().checkins.isEmpty())
    }

    @Test
    fun aCheckinStartsWithTheChosenBuddiesAndBadMinutesAreNamed() {
        val setup = Setup(app)
        val screen = Robolectric.buildActivity(CheckinActivity::class.java).setup().get()
        screen.type("minutes", "soon")
        screen.click("start")
        assertNotNull((screen.view("minutes") as EditText).error)
        assertTrue(setup.session.listCheckins().checkins.isEmpty())
        screen.type("minutes", "100000") // beyond 12 hours: the core's InvalidInput, shown
        screen.click("start")
        assertTrue(screen.status().isNotEmpty())
        assertTrue(setup.session.listCheckins().checkins.isEmpty())
        (screen.view("buddy-${setup.buddy.id}") as android.widget.CheckBox).isChecked = true
        screen.type("minutes", "45")
        screen.click("start")
        val armed = setup.session.listCheckins().checkins.single()
        assertEquals(app.now().plusSeconds(45 * 60), armed.deadline)
        assertEquals(armed.deadline.minusSeconds(5 * 60).toEpochMilli(), app.alarms().scheduledAlarms.single().triggerAtTime)
    }
}
