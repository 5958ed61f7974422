package app.vigil.android

import android.Manifest
import android.app.Activity
import android.app.Notification
import android.app.NotificationManager
import android.content.Intent
import android.os.Looper
import android.provider.Telephony
import android.telephony.SmsManager
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import app.vigil.android.logic.Refusals
import app.vigil.core.BuddyInput
import app.vigil.core.CheckinInput
import app.vigil.core.PairingInput
import app.vigil.core.Session
import app.vigil.core.Vault
import app.vigil.core.VigilException
import app.vigil.core.WatchActionKind
import app.vigil.core.types.Channel
import app.vigil.core.types.Outcome
import app.vigil.core.types.WatchMessageKind
import app.vigil.core.types.WatchPhase
import java.io.ByteArrayOutputStream
import java.io.File
import java.time.Duration
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
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
 * Watch over me (docs/checkin.md) on Android, against the real core with two vaults: the
 * app's own (this phone) and a second one in the same test standing for the other phone.
 * Messages go between them as SMS PDUs through the app's SmsReceiver, or by paste.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class)
class WatchTest {
    private lateinit var app: TestApp
    private lateinit var phone: Setup

    /** The other phone: its own vault, device secret and number. */
    private lateinit var other: Session
    private lateinit var otherBuddyId: String

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        shadowOf(app).grantPermissions(Manifest.permission.SEND_SMS, Manifest.permission.RECEIVE_SMS, Manifest.permission.POST_NOTIFICATIONS)
        org.robolectric.shadows.ShadowAlarmManager.setCanScheduleExactAlarms(true)
        phone = Setup(app)
        other = Vault(File(app.filesDir, "other-phone.db").path).create(PASSPHRASE, ByteArray(32) { 7 }, app.kdfIterations())
        // The other phone's buddy is this phone's owner.
        otherBuddyId = other.addBuddy(BuddyInput("Bea", "+447400654321", Channel.SMS, "en")).id
        other.setCheckinCodes("1111", "2222")
    }

    private fun sms() = shadowOf(app.getSystemService(SmsManager::class.java))
    private fun idle() = shadowOf(Looper.getMainLooper()).idle()

    /** This phone holds the other phone's check-ins: the other side pairs and links its
     *  buddy; this side pairs with the other's number (where its ACKs go). */
    private fun pairAsWatcher() {
        val mine = phone.session.ownPairingCode("Bea")
        val theirs = other.ownPairingCode("Mia")
        other.addPairing(PairingInput(mine, other.previewPairing(mine).sas, "Bea", "+447400654321", otherBuddyId), app.now())
        phone.session.addPairing(PairingInput(theirs, phone.session.previewPairing(theirs).sas, "Mia", OTHER_NUMBER, null), app.now())
    }

    /** The other phone starts a check-in with its buddy (this phone) and gives the WATCH
     *  text its shell would send, reported Sent. */
    private fun otherStartsCheckin(minutes: Long = 60): String {
        other.startCheckin(CheckinInput(app.now().plus(Duration.ofMinutes(minutes)), listOf(otherBuddyId), null, null, null, null), app.now())
        val send = other.watchTick(app.now()).first { it.kind is WatchActionKind.SendMessage }
        other.reportOutcome(send.id, Outcome.Sent, app.now())
        return (send.kind as WatchActionKind.SendMessage).text
    }

    private fun held() = app.backgroundRunner()!!.use { it.heldWatches() }

    private fun alarmNotifications(): List<Notification> =
        shadowOf(app.getSystemService(NotificationManager::class.java)).allNotifications.filter { it.category == Notification.CATEGORY_ALARM }

    @Test
    fun aMessageFromThePairedPhoneReachesThisVaultThroughTheSmsReceiverWhileLocked() {
        pairAsWatcher()
        val watch = otherStartsCheckin(60)
        assertTrue("three segments at most", watch.length <= 3 * 153)
        app.lock()

        SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, watch))
        idle()

        val watches = held()
        assertEquals(1, watches.size)
        assertEquals("Mia", watches[0].workerName)
        assertEquals(WatchPhase.WATCHING, watches[0].phase)
        // The ACK the core queued went out at once, by SMS to the other phone, exactly as given.
        val ack = sms().lastSentTextMessageParams
        assertNotNull("ACK sent", ack)
        assertEquals(OTHER_NUMBER, ack.destinationAddress)
        assertTrue(ack.text.startsWith("VGL1:"))
        // One alarm, at the core's next wake-up (which covers the watch).
        val runner = app.backgroundRunner()!!
        val alarms = app.alarms().scheduledAlarms
        assertEquals(1, alarms.size)
        assertEquals(runner.nextWakeup()!!.toEpochMilli(), alarms[0].triggerAtTime)
        // The other phone accepts the ACK: its buddy's phone confirmed the watch.
        assertEquals(WatchMessageKind.ACK, other.receiveWatchMessage(ack.text, app.now()).kind)
        assertTrue(other.sentWatches().single().buddies.single().confirmed)
    }

    @Test
    fun pastTheDeadlineTheWatchTickPostsTheAlarmWithNothingPersonalOnTheLockScreen() {
        pairAsWatcher()
        val watch = otherStartsCheckin(30)
        app.lock()
        SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, watch))
        idle()
        // The ACK's radio result, so its outbox entry is settled.
        sms().lastSentTextMessageParams.sentIntent.send(app, Activity.RESULT_OK, Intent())
        idle()
        assertTrue(alarmNotifications().isEmpty())

        // Walk the alarms with the vault locked (the alarm receiver's path) until the alarm.
        var guard = 0
        while (held().single().phase != WatchPhase.ALARM) {
            check(guard++ < 12) { "no alarm after 12 wake-ups" }
            val alarm = app.alarms().scheduledAlarms.single()
            app.alarms().scheduledAlarms.clear()
            app.clock = maxOf(app.clock, java.time.Instant.ofEpochMilli(alarm.triggerAtTime))
            alarm.operation!!.send()
            idle()
        }
        val posted = alarmNotifications()
        assertTrue("the alarm is posted", posted.isNotEmpty())
        val missed = app.getString(R.string.watch_alarm_public)
        // The reminder before the alarm on the alerts channel, the alarm steps on the alarm
        // channel (WatchAlarmTest follows those).
        assertTrue(posted.any { it.channelId == Notifier.CHANNEL_WATCH_ALARM })
        for (n in posted) {
            assertTrue(n.channelId, n.channelId == Notifier.CHANNEL_ALERTS || n.channelId == Notifier.CHANNEL_WATCH_ALARM)
            assertEquals(Notification.VISIBILITY_PRIVATE, n.visibility)
            val public = n.publicVersion!!
            assertEquals(missed, public.extras.getCharSequence(Notification.EXTRA_TITLE).toString())
            assertNull("nothing else on the lock screen", public.extras.getCharSequence(Notification.EXTRA_TEXT))
        }
        // Behind the lock: the core's own text.
        assertTrue(posted.any { it.extras.getCharSequence(Notification.EXTRA_TEXT)!!.contains("Mia") })

        // Unlocked, the watch screen lists it and she acknowledges: its next steps stop.
        app.setSession(app.vault.unlock(PASSPHRASE, app.secrets.getOrCreate(), app.now()))
        val screen = Robolectric.buildActivity(WatchActivity::class.java).setup().get()
        val id = held().single().id
        assertTrue(screen.tree().any { it.contains(app.getString(R.string.watch_alarm, "Mia", "").substringBefore("Mia")) })
        screen.click("ack-$id")
        assertTrue(held().single().acknowledged)
        assertTrue("the insistent alarm is withdrawn", alarmNotifications().none { it.channelId == Notifier.CHANNEL_WATCH_ALARM })
        assertTrue("no acknowledge button after", screen.window.decorView.findViewWithTag<View>("ack-$id") == null)
    }

    /** The worker's phone resends a WATCH while no ACK came back; the buddy's phone already
     *  accepted it, so the resend is refused as a replay, yet the core queues its ACK again.
     *  That ACK goes out at once (the SMS receiver runs the wake-up after a refusal too), not
     *  at the next scheduled alarm, which may be an hour away. */
    @Test
    fun aReplayedWatchBySmsSendsTheAckAgainAtOnce() {
        pairAsWatcher()
        val watch = otherStartsCheckin(60)
        app.lock()
        SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, watch))
        idle()
        val first = sms().lastSentTextMessageParams
        assertNotNull("the first ACK", first)
        first.sentIntent.send(app, Activity.RESULT_OK, Intent())
        idle()
        // The first ACK was lost on its way: the other phone resends the same WATCH.
        sms().clearLastSentTextMessageParams()
        app.minutes(5)
        val before = app.backgroundRunner()!!.use { it.nextWakeup() }!!
        assertTrue("the next scheduled wake-up is not now", before.isAfter(app.now()))
        SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, watch))
        idle()

        assertEquals("recorded as a replay", Refusals.Kind.REPLAYED, RefusalStore.load(app).entries.single().kind)
        val again = sms().lastSentTextMessageParams
        assertNotNull("the ACK is sent again at once", again)
        assertEquals(OTHER_NUMBER, again.destinationAddress)
        // The other phone accepts it: her buddy's phone has the watch.
        assertEquals(WatchMessageKind.ACK, other.receiveWatchMessage(again.text, app.now()).kind)
        assertTrue(other.sentWatches().single().buddies.single().confirmed)
        // And the one alarm is re-armed at the core's next wake-up.
        val alarms = app.alarms().scheduledAlarms
        assertEquals(1, alarms.size)
        assertEquals(app.backgroundRunner()!!.use { it.nextWakeup() }!!.toEpochMilli(), alarms[0].triggerAtTime)
        assertEquals(1, held().size)
    }

    /** A pairing's number changed on the pairing screen: read as when pairing; a bad number
     *  shows the core's error and changes nothing; blank removes it. */
    @Test
    fun aPairingsNumberIsChangedOnThePairingScreen() {
        pairAsWatcher()
        val pairing = phone.session.listPairings().single()
        val screen = Robolectric.buildActivity(PairingActivity::class.java).setup().get()
        assertEquals(OTHER_NUMBER, (screen.view("phone-${pairing.id}") as EditText).text.toString())

        screen.type("phone-${pairing.id}", "07400 12x")
        screen.click("phone-save-${pairing.id}")
        val refused = screen.status()
        assertTrue("the core's error: $refused", refused.isNotEmpty() && refused != app.getString(R.string.pairing_phone_changed))
        assertFalse("without the number", refused.contains("12x"))
        assertEquals(OTHER_NUMBER, phone.session.listPairings().single().phone)

        screen.type("phone-${pairing.id}", "07400 111222")
        screen.click("phone-save-${pairing.id}")
        assertEquals(app.getString(R.string.pairing_phone_changed), screen.status())
        assertEquals("+447400111222", phone.session.listPairings().single().phone)
        assertEquals("+447400111222", (screen.view("phone-${pairing.id}") as EditText).text.toString())
        assertTrue(screen.tree().any { it.contains("+447400111222") })

        screen.type("phone-${pairing.id}", "  ")
        screen.click("phone-save-${pairing.id}")
        assertNull(phone.session.listPairings().single().phone)
    }

    @Test
    fun anSmsThatIsNotAVigilMessageIsLeftAlone() {
        pairAsWatcher()
        app.lock()
        SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, "Running 10 min late, see you soon"))
        idle()
        assertTrue(held().isEmpty())
        assertNull("nothing sent", sms().lastSentTextMessageParams)
        assertTrue(shadowOf(app.getSystemService(NotificationManager::class.java)).allNotifications.isEmpty())
    }

    @Test
    fun aTamperedMessageShowsTheCoresRefusalAndChangesNothing() {
        pairAsWatcher()
        val watch = otherStartsCheckin(60)
        val i = watch.length / 2
        val tampered = watch.substring(0, i) + (if (watch[i] == 'A') 'B' else 'A') + watch.substring(i + 1)

        // By SMS: dropped, nothing held, nothing sent.
        SmsReceiver().onReceive(app, smsReceived(OTHER_NUMBER, tampered))
        idle()
        assertTrue(held().isEmpty())
        assertNull(sms().lastSentTextMessageParams)

        // Pasted: the screen shows the reason.
        val screen = Robolectric.buildActivity(WatchActivity::class.java).setup().get()
        screen.type("paste", tampered)
        screen.click("receive")
        // The reason in the phone's language, from the core's WatchRefusal (not its wording).
        assertEquals(app.getString(R.string.watch_refused, app.getString(R.string.refusal_forged)), screen.status())
        assertThrows(VigilException.MessageRefused::class.java) { app.backgroundRunner()!!.use { it.receiveWatchMessage(tampered, app.now()) } }
        assertEquals("the text stays to look at", tampered, (screen.view("paste") as EditText).text.toString())
        assertTrue(held().isEmpty())

        // The genuine message is still accepted afterwards (the refusal used up nothing).
        screen.type("paste", watch.chunked(40).joinToString("\n"))
        screen.click("receive")
        assertEquals(app.getString(R.string.watch_received, "WATCH", "Mia"), screen.status())
        assertEquals(1, held().size)
        assertTrue(screen.tree().any { it.contains("Mia") })
    }

    @Test
    fun theWrongSixDigitsRefuseToSaveAPairingAndTheRightOnesSaveIt() {
        val theirs = other.ownPairingCode("Mia")
        val screen = Robolectric.buildActivity(PairingActivity::class.java).setup().get()
        screen.type("own-name", "Bea")
        screen.click("own-show")
        assertTrue((screen.view("own-code") as TextView).text.startsWith("VGP1:"))

        screen.type("their-code", theirs)
        screen.click("pair-preview")
        val sas = phone.session.previewPairing(theirs).sas
        assertEquals(app.getString(R.string.pairing_sas, "Mia", sas), (screen.view("preview") as TextView).text.toString())
        val wrong = sas.map { d -> '0' + (d - '0' + 1) % 10 }.joinToString("")
        screen.type("sas", wrong)
        screen.type("pair-phone", OTHER_NUMBER)
        screen.click("pair-save")
        assertTrue("refused: ${screen.status()}", screen.status().isNotEmpty() && screen.status() != app.getString(R.string.pairing_saved))
        assertTrue("nothing saved", phone.session.listPairings().isEmpty())

        screen.type("sas", sas)
        screen.click("pair-save")
        assertEquals(app.getString(R.string.pairing_saved), screen.status())
        val saved = phone.session.listPairings().single()
        assertEquals("Mia", saved.name)
        assertNull(saved.buddyId)

        // Link it to her buddy Ana: a check-in with Ana is then also held by that phone.
        (screen.view("link-choice-${saved.id}") as android.widget.Spinner).setSelection(1)
        screen.click("link-${saved.id}")
        assertEquals(phone.buddy.id, phone.session.listPairings().single().buddyId)
        screen.click("remove-${saved.id}")
        assertTrue(phone.session.listPairings().isEmpty())
    }

    @Test
    fun startingACheckinWithAPairedBuddySendsTheWatchTheOtherPhoneAccepts() {
        // This phone is the worker's; the other holds the watch for her buddy Ana.
        val mine = phone.session.ownPairingCode("Mia")
        val theirs = other.ownPairingCode("Ana")
        phone.session.addPairing(PairingInput(theirs, phone.session.previewPairing(theirs).sas, null, "07400 123456", phone.buddy.id), app.now())
        other.addPairing(PairingInput(mine, other.previewPairing(mine).sas, "Mia", OTHER_NUMBER, null), app.now())

        // Through the check-in screen, as she does it (no buddy ticked: every buddy).
        val checkin = Robolectric.buildActivity(CheckinActivity::class.java).setup().get()
        checkin.click("start")
        val sent = sms().lastSentTextMessageParams
        assertNotNull("WATCH sent", sent)
        assertEquals("+447400123456", sent.destinationAddress)
        assertEquals(WatchMessageKind.WATCH, other.receiveWatchMessage(sent.text, app.now()).kind)
        // Sent once the radio says so; not confirmed until the ACK arrives.
        sent.sentIntent.send(app, Activity.RESULT_OK, Intent())
        idle()
        val status = phone.session.sentWatches().single().buddies.single()
        assertTrue(status.sent)
        assertFalse(status.confirmed)
        val screen = Robolectric.buildActivity(WatchActivity::class.java).setup().get()
        assertTrue(screen.tree().toString(), screen.tree().any { it.contains(app.getString(R.string.watch_sent_unconfirmed, "Ana", "WATCH")) })
    }

    private fun Activity.view(tag: String): View = window.decorView.findViewWithTag<View>(tag) ?: error("no view tagged $tag")
    private fun Activity.type(tag: String, text: String) = (view(tag) as EditText).setText(text)
    private fun Activity.click(tag: String) {
        (view(tag) as Button).performClick()
        idle()
    }
    private fun Activity.status(): String = (view("status") as TextView).text.toString()
    private fun Activity.tree(): List<String> = window.decorView.texts()

    companion object {
        const val OTHER_NUMBER = "+447700900456"

        /** SMS_RECEIVED as the system sends it: one 3GPP SMS-DELIVER PDU per part. */
        fun smsReceived(from: String, text: String): Intent =
            Intent(Telephony.Sms.Intents.SMS_RECEIVED_ACTION)
                .putExtra("pdus", text.chunked(160).map { deliverPdu(from, it) }.toTypedArray<Any>())
                .putExtra("format", "3gpp")

        /** A GSM 7-bit SMS-DELIVER PDU (no SMSC, international sender, no user-data header). */
        fun deliverPdu(from: String, text: String): ByteArray {
            val out = ByteArrayOutputStream()
            out.write(0x00) // no SMSC address
            out.write(0x04) // SMS-DELIVER, no more messages waiting
            val digits = from.removePrefix("+")
            out.write(digits.length)
            out.write(0x91) // international number
            val padded = if (digits.length % 2 == 1) digits + "F" else digits
            for (i in padded.indices step 2) out.write((padded[i + 1].digitToInt(16) shl 4) or padded[i].digitToInt(16))
            out.write(0x00) // protocol identifier
            out.write(0x00) // GSM 7-bit default alphabet
            for (b in intArrayOf(0x62, 0x11, 0x82, 0x02, 0x00, 0x00, 0x00)) out.write(b) // time stamp
            out.write(text.length)
            var acc = 0
            var bits = 0
            for (c in text) {
                // Letters, digits and these marks have their ASCII codes in the GSM default alphabet.
                require(c.isLetterOrDigit() && c.code < 128 || c in " +/:=,.") { "not in this test's GSM subset: $c" }
                acc = acc or (c.code shl bits)
                bits += 7
                while (bits >= 8) {
                    out.write(acc and 0xFF)
                    acc = acc ushr 8
                    bits -= 8
                }
            }
            if (bits > 0) out.write(acc and 0xFF)
            return out.toByteArray()
        }
    }
}
