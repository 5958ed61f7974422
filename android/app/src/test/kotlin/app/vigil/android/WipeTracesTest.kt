package app.vigil.android

import android.Manifest
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Intent
import android.os.Looper
import android.telephony.SmsManager
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import app.vigil.core.BuddyInput
import app.vigil.core.CheckinInput
import app.vigil.core.NoteInput
import app.vigil.core.PairingInput
import app.vigil.core.Session
import app.vigil.core.Vault
import app.vigil.core.WatchActionKind
import app.vigil.core.types.Channel
import app.vigil.core.types.Outcome
import app.vigil.core.types.Risk
import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
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
 * After every kind of wipe nothing the shell stored is left on the phone: the app's whole
 * data directory (both storage areas) is read byte for byte for what the worker put in
 * (her buddy's name and number, a client's, the place, the message her buddy was sent, a
 * check-in's id, the paired phone's name and number) and no preferences file may remain.
 * The phone is set up through the real core as a worker uses it: a pairing, a watch held
 * for the paired phone, a refused SMS, a check-in that escalated by SMS.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class)
class WipeTracesTest {
    private lateinit var app: TestApp
    private lateinit var phone: Setup
    private lateinit var other: Session

    /** The paired phone's vault: outside this app's data directory, which the test reads. */
    private lateinit var elsewhere: File

    /** What must not be found anywhere once wiped (filled in as the phone is used). */
    private val secrets = mutableListOf("Ana", "+447400123456", "07400 123456", "07700 900123", "Example Street", "Mia", OTHER_NUMBER)

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        shadowOf(app).grantPermissions(Manifest.permission.SEND_SMS, Manifest.permission.RECEIVE_SMS, Manifest.permission.POST_NOTIFICATIONS)
        org.robolectric.shadows.ShadowAlarmManager.setCanScheduleExactAlarms(true)
        phone = Setup(app)
        elsewhere = Files.createTempDirectory("other-phone").toFile()
        other = Vault(File(elsewhere, "other.db").path).create(PASSPHRASE, ByteArray(32) { 7 }, app.kdfIterations())
    }

    @After
    fun tearDown() {
        elsewhere.deleteRecursively()
    }

    private fun idle() = shadowOf(Looper.getMainLooper()).idle()

    /** A pairing with a watch held for the other phone, a refused SMS, and her own check-in
     *  escalated to her buddy by SMS: everything the shell keeps outside the vault is there. */
    private fun useThePhone() {
        // A screening note: the call labels kept in memory for the screening service.
        phone.session.addNote(NoteInput(listOf("07700 900123"), "Dan", Risk.DANGER, "refused to pay"), app.now())
        app.setSession(phone.session)
        assertTrue("call labels", app.callLabels.isNotEmpty())
        val otherBuddy = other.addBuddy(BuddyInput("Bea", "+447400654321", Channel.SMS, "en")).id
        other.setCheckinCodes("1111", "2222")
        val mine = phone.session.ownPairingCode("Bea")
        val theirs = other.ownPairingCode("Mia")
        other.addPairing(PairingInput(mine, other.previewPairing(mine).sas, "Bea", "+447400654321", otherBuddy), app.now())
        phone.session.addPairing(PairingInput(theirs, phone.session.previewPairing(theirs).sas, "Mia", OTHER_NUMBER, null), app.now())

        other.startCheckin(CheckinInput(app.now().plus(Duration.ofMinutes(30)), listOf(otherBuddy), null, null, null, null), app.now())
        val send = other.watchTick(app.now()).first { it.kind is WatchActionKind.SendMessage }
        other.reportOutcome(send.id, Outcome.Sent, app.now())
        val watch = (send.kind as WatchActionKind.SendMessage).text
        SmsReceiver().onReceive(app, WatchTest.smsReceived(OTHER_NUMBER, watch))
        val i = watch.length / 2
        val forged = watch.substring(0, i) + (if (watch[i] == 'A') 'B' else 'A') + watch.substring(i + 1)
        SmsReceiver().onReceive(app, WatchTest.smsReceived(OTHER_NUMBER, forged))
        idle()

        val checkin = phone.startCheckin(20)
        secrets += checkin.id
        Escalator.run(app)
        app.lock()
        val sms = shadowOf(app.getSystemService(SmsManager::class.java))
        var guard = 0
        while (sms.lastSentTextMessageParams?.destinationAddress != "+447400123456") {
            check(guard++ < 20) { "no SMS to the buddy after 20 alarms" }
            val alarm = app.alarms().scheduledAlarms.single()
            app.clock = Instant.ofEpochMilli(alarm.triggerAtTime)
            app.alarms().scheduledAlarms.clear()
            alarm.operation!!.send()
            idle()
        }
        secrets += sms.lastSentTextMessageParams.text

        // The traces are there before the wipe (else the checks below would prove nothing).
        assertTrue("refusal log", prefsFiles().any { it.name == "watch-refusals.xml" })
        assertTrue("SMS ledger", prefsFiles().any { it.name == "escalation.xml" })
        assertTrue("notifications", notifications().isNotEmpty())
        assertTrue("the alarm", app.alarms().scheduledAlarms.isNotEmpty())
    }

    private fun notifications() = shadowOf(app.getSystemService(NotificationManager::class.java)).allNotifications

    /** Both storage areas' data directories, whole. */
    private fun everyFile(): List<File> = listOf(app.dataDir, app.storage.dataDir).distinct()
        .flatMap { it.walkTopDown().filter(File::isFile).toList() }

    private fun prefsFiles(): List<File> = everyFile().filter { it.parentFile?.name == "shared_prefs" }

    /** Nothing left that holds what she typed or was sent, no preferences, no secret, no
     *  alarm, no notification, no session. */
    private fun assertNothingLeft() {
        assertEquals("no preferences file", emptyList<File>(), prefsFiles())
        for (file in everyFile()) {
            val bytes = file.readBytes()
            for (s in secrets) {
                for (encoded in listOf(s.toByteArray(Charsets.UTF_8), s.toByteArray(Charsets.UTF_16LE))) {
                    assertFalse("'$s' left in ${file.path}", indexOf(bytes, encoded) >= 0)
                }
            }
        }
        assertEquals("no file the shell wrote", emptyList<File>(), Traces.files(app))
        assertFalse("vault", app.vaultFile.exists())
        assertFalse("keystore alias", app.keys.exists(DeviceSecretStore.ALIAS))
        assertEquals("no notification", 0, notifications().size)
        assertEquals("no alarm", 0, app.alarms().scheduledAlarms.size)
        assertTrue("call labels", app.callLabels.isEmpty())
        assertFalse("wipe marker", File(app.storage.dataDir, "wipe-pending").exists())
    }

    /** Every PendingIntent the notifications carry (the alarm screen's holds the alarm
     *  text, the share action the message): the system keeps them until they are cancelled. */
    private fun pendingIntents(): List<PendingIntent> = notifications().flatMap { n ->
        listOfNotNull(n.contentIntent, n.fullScreenIntent, n.deleteIntent) + n.actions.orEmpty().mapNotNull { it.actionIntent }
    }

    @Test
    fun theAutomaticWipeAfterTooManyWrongPassphrasesLeavesNothing() {
        phone.session.setUnlockLimit(3u)
        useThePhone()
        val screen = Robolectric.buildActivity(UnlockActivity::class.java).setup().get()
        fun view(tag: String) = screen.window.decorView.findViewWithTag<android.view.View>(tag)
        repeat(3) {
            (view("passphrase") as EditText).setText("not the passphrase $it")
            (view("unlock") as Button).performClick()
            idle()
        }
        assertNothingLeft()
        // The screen says what happened and is now the create screen.
        assertEquals(app.getString(R.string.create_button), (view("unlock") as Button).text.toString())
        assertTrue((view("status") as TextView).text.isNotEmpty())
        // A new vault can be made at once, with a new secret.
        (view("passphrase") as EditText).setText(PASSPHRASE)
        (view("unlock") as Button).performClick()
        assertNotNull(app.session)
        assertTrue(app.session!!.listBuddies().buddies.isEmpty())
    }

    @Test
    fun thePanicWipeLeavesNothing() {
        useThePhone()
        // An export's temporary file left by a process killed mid-export.
        File(app.noBackupFilesDir, "export.vigil").writeText("Ana +447400123456")
        val open = app.vault.unlock(PASSPHRASE, app.secrets.getOrCreate(), app.now())
        app.setSession(open)
        val intents = pendingIntents()
        assertTrue("notifications carry PendingIntents", intents.isNotEmpty())
        // A buddy's alarm screen up (it runs in its own task), with a watch's text.
        val alarm = Robolectric.buildActivity(
            AlarmActivity::class.java,
            Intent(app, AlarmActivity::class.java).putExtra(AlarmActivity.EXTRA_TEXT, "Mia missed her check-in at Example Street"),
        ).setup().get()
        val screen = Robolectric.buildActivity(SettingsActivity::class.java).setup().get()
        (screen.window.decorView.findViewWithTag<android.view.View>("wipe") as Button).performClick()
        idle()
        app.clock = app.clock.plus(Duration.ofSeconds(5))
        shadowOf(Looper.getMainLooper()).idleFor(Duration.ofSeconds(5))
        assertNothingLeft()
        assertNull(app.session)
        assertTrue("the dropped session is locked (keys and handles closed now)", open.isLocked())
        for (intent in intents) assertTrue("PendingIntent cancelled", shadowOf(intent).isCanceled)
        assertTrue("the alarm screen is closed", alarm.isFinishing)
    }

    /** The core wiped the vault but the shell's clean-up never ran (the process was killed
     *  in between): the next start finishes it. */
    @Test
    fun aStartWithTheVaultGoneFinishesTheWipe() {
        useThePhone()
        app.vault.wipe()
        app.onCreate()
        assertNothingLeft()
    }

    /** A wipe's clean-up killed midway (here after the key, the secret's file and the
     *  preferences went, before the notifications): the marker written before it makes the
     *  next start finish it, though nothing else on disk says a wipe happened. */
    @Test
    fun aStartAfterACleanUpKilledMidwayFinishesIt() {
        useThePhone()
        app.lock()
        app.vault.wipe()
        File(app.storage.dataDir, "wipe-pending").createNewFile()
        app.secrets.delete()
        for (file in Traces.files(app)) file.delete()
        assertTrue(notifications().isNotEmpty())
        app.onCreate()
        assertNothingLeft()
    }

    /**
     * The vault is there but cannot be read at this start (an I/O error, a permission or
     * SELinux label gone wrong): the start must not take it for a finished wipe and delete
     * the key, which would lose the vault for good. The test makes `stat` of the vault fail
     * with a loop of symbolic links in place of its folder (the tests run as root, which
     * `chmod 000` does not stop); the vault, its secret and everything else are kept and it
     * opens once readable again.
     */
    @Test
    fun aStartWithTheVaultPresentButUnreadableKeepsEverything() {
        app.lock()
        val folder = app.vaultFile.parentFile!!
        val aside = File(folder.parentFile, folder.name + ".aside")
        val before = everyFile().map { it.path }.sorted()
        assertTrue(folder.renameTo(aside))
        try {
            Files.createSymbolicLink(folder.toPath(), folder.toPath())
            assertFalse("the vault cannot be stat'ed", app.vaultFile.exists())
            app.onCreate()
        } finally {
            Files.deleteIfExists(folder.toPath())
            assertTrue(aside.renameTo(folder))
        }
        assertTrue("the Keystore key", app.keys.exists(DeviceSecretStore.ALIAS))
        assertEquals(before, everyFile().map { it.path }.sorted())
        val session = app.vault.unlock(PASSPHRASE, app.secrets.getOrCreate(), app.now())
        assertEquals(listOf("Ana"), session.listBuddies().buddies.map { it.name })
    }

    /** The Keystore refuses to delete the key: both wipe paths say that something could
     *  not be removed (the vault's data is gone either way). */
    @Test
    fun aKeyThatCannotBeDeletedIsSaidOnBothWipePaths() {
        app.keys.failDelete = true
        phone.session.setUnlockLimit(2u)
        app.lock()
        val unlock = Robolectric.buildActivity(UnlockActivity::class.java).setup().get()
        fun view(tag: String) = unlock.window.decorView.findViewWithTag<android.view.View>(tag)
        repeat(2) {
            (view("passphrase") as EditText).setText("not the passphrase $it")
            (view("unlock") as Button).performClick()
        }
        assertFalse(app.vaultFile.exists())
        assertTrue((view("status") as TextView).text.contains(app.getString(R.string.wipe_traces_left)))

        // The panic wipe: a new vault, wiped from Settings; the unlock screen it opens says it.
        app.setSession(app.vault.create(PASSPHRASE, app.secrets.getOrCreate(), app.kdfIterations()))
        val screen = Robolectric.buildActivity(SettingsActivity::class.java).setup().get()
        (screen.window.decorView.findViewWithTag<android.view.View>("wipe") as Button).performClick()
        idle()
        app.clock = app.clock.plus(Duration.ofSeconds(10))
        shadowOf(Looper.getMainLooper()).idleFor(Duration.ofSeconds(10))
        val next = shadowOf(screen).nextStartedActivity
        assertEquals(UnlockActivity::class.java.name, next.component?.className)
        val landed = Robolectric.buildActivity(UnlockActivity::class.java, next).setup().get()
        val status = landed.window.decorView.findViewWithTag<TextView>("status")
        assertEquals(app.getString(R.string.wipe_traces_left), status.text.toString())
    }

    /** A start with a vault changes nothing (the check is one `stat`). */
    @Test
    fun aStartWithTheVaultThereKeepsEverything() {
        useThePhone()
        val before = everyFile().map { it.path }.sorted()
        app.onCreate()
        assertEquals(before, everyFile().map { it.path }.sorted())
        assertTrue(app.keys.exists(DeviceSecretStore.ALIAS))
        assertTrue(notifications().isNotEmpty())
    }

    private fun indexOf(haystack: ByteArray, needle: ByteArray): Int {
        outer@ for (i in 0..haystack.size - needle.size) {
            for (j in needle.indices) if (haystack[i + j] != needle[j]) continue@outer
            return i
        }
        return -1
    }

    companion object {
        const val OTHER_NUMBER = "+447400999888"
    }
}
