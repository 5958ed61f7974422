package app.vigil.android

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.provider.Settings
import android.provider.Telephony
import android.text.InputType
import android.widget.ArrayAdapter
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.Spinner
import android.widget.TextView
import app.vigil.android.logic.Errors
import app.vigil.android.logic.Line
import app.vigil.android.logic.Msg
import app.vigil.android.logic.Refusals
import app.vigil.android.logic.SmsInbox
import app.vigil.android.logic.UiText
import app.vigil.android.logic.WatchView
import app.vigil.core.Buddy
import app.vigil.core.PairingInput
import app.vigil.core.VigilException
import app.vigil.core.WatchReceipt
import app.vigil.core.isWatchMessage
import java.time.ZoneId

/**
 * Inbound SMS (watch over me): only texts the core calls a watch message go to
 * `receiveWatch`, through the BackgroundRunner when the vault is locked (also
 * before the first unlock after a reboot: directBootAware). Every other SMS is left alone.
 * A refused message (forged, replayed, from an unpaired phone, cut off) changed nothing in
 * the core; its reason's kind is recorded and told ([RefusalStore]), never its text or
 * sender.
 * RECEIVE_SMS is a restricted permission on Google Play (README, "Android"): without it this
 * receiver never runs and the paste field is the way in.
 */
class SmsReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != Telephony.Sms.Intents.SMS_RECEIVED_ACTION) return
        val messages = runCatching { Telephony.Sms.Intents.getMessagesFromIntent(intent) }.getOrNull() ?: return
        val parts = messages.filterNotNull().map { SmsInbox.Part(it.originatingAddress, it.messageBody ?: "") }
        for (text in SmsInbox.watchTexts(parts) { isWatchMessage(it) }) {
            // Refused: nothing changed (docs/checkin.md, "Why it is safe"); say so, by the
            // reason the core gives (never its wording).
            val receipt = try {
                Escalator.receive(context, text)
            } catch (e: VigilException) {
                RefusalStore.record(context, Refusals.kind(e))
                continue
            }
            if (receipt is WatchReceipt.Refused) RefusalStore.record(context, Refusals.kind(receipt.reason))
        }
    }
}

/** The refused Vigil SMS (logic [Refusals]): kept in device-protected storage, so a refusal
 *  before the first unlock is recorded too; only kinds and times. */
object RefusalStore {
    private const val PREFS = "watch-refusals"
    private const val LOG = "log"

    private fun prefs(context: Context) = VigilApp.of(context).storage.getSharedPreferences(PREFS, Context.MODE_PRIVATE)

    fun load(context: Context): Refusals.Log = Refusals.Log.load(prefs(context).getString(LOG, null))

    @Synchronized
    fun record(context: Context, kind: Refusals.Kind) {
        val log = load(context)
        val notify = log.record(kind, VigilApp.of(context).now())
        prefs(context).edit().putString(LOG, log.save()).commit()
        if (!notify) return
        val reason = context.getString(context.resources.getIdentifier(kind.msg.res, "string", context.packageName))
        Notifier.refusal(context, kind.name, context.getString(R.string.watch_refused, reason))
    }
}

/** Watch over me: the watches this phone holds for others (acknowledge an alarm), her own
 *  check-ins as her buddies' phones confirmed them, and a field to paste a Vigil message
 *  that came by another app (or while SMS could not be received). */
class WatchActivity : SessionActivity() {
    private lateinit var status: TextView
    private lateinit var held: LinearLayout
    private lateinit var sent: LinearLayout
    private lateinit var refused: LinearLayout
    private val zone: ZoneId get() = ZoneId.systemDefault()

    override fun build() {
        permissionWarnings(alarmChannel = true)
        button(R.string.watch_pairing, "pairing") { open(PairingActivity::class.java) }
        if (checkSelfPermission(android.Manifest.permission.RECEIVE_SMS) != PackageManager.PERMISSION_GRANTED) {
            button(R.string.watch_allow_sms, "allow-sms") { requestPermissions(arrayOf(android.Manifest.permission.RECEIVE_SMS), 1) }
        }
        // Android 14+: alarms for the people she watches over only take the screen with
        // "full screen notifications" allowed; without it they come as heads-up only.
        if (!Notifier.canUseFullScreenIntent(this)) {
            label(getString(R.string.watch_fullscreen_denied), "fullscreen-denied").setTextColor(0xFFB71C1C.toInt())
            button(R.string.watch_fullscreen_allow, "allow-fullscreen") {
                startActivity(Intent(Settings.ACTION_MANAGE_APP_USE_FULL_SCREEN_INTENT, Uri.parse("package:$packageName")))
            }
        }
        refused = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL; tag = "refused" }.also { root.addView(it) }
        label(getString(R.string.watch_held_title))
        held = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }.also { root.addView(it) }
        label(getString(R.string.watch_sent_title))
        sent = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }.also { root.addView(it) }
        val paste = field(R.string.watch_paste, "paste").apply {
            inputType = InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_MULTI_LINE or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS
        }
        button(R.string.watch_receive, "receive") { receive(paste) }
        status = label("", "status")
        refresh()
    }

    private fun receive(paste: EditText) {
        val text = WatchView.pasted(paste.text.toString())
        status.text = try {
            when (val r = Escalator.receive(this, text)) {
                null -> ""
                is WatchReceipt.Accepted -> {
                    paste.text.clear()
                    say(UiText.Res(Msg.WATCH_RECEIVED, listOf(WatchView.kindWord(r.message.kind), r.message.name)))
                }
                // The reason in her language; the text stays in the field, nothing was stored.
                is WatchReceipt.Refused -> say(UiText.Res(Msg.WATCH_REFUSED, listOf(UiText.Res(Refusals.kind(r.reason).msg))))
            }
        } catch (e: VigilException) {
            // The core's reason; the text stays in the field, nothing was stored.
            say(Errors.text(e))
        }
        refresh()
    }

    private fun refresh() {
        held.removeAllViews()
        sent.removeAllViews()
        refused.removeAllViews()
        lines(refused, RefusalStore.load(this).lines(zone))
        val watches = attempt(status) { session.heldWatches() } ?: return
        for (w in WatchView.held(watches, zone)) {
            val row = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
            lines(row, listOf(Line(w.text, w.warning)))
            if (w.canAcknowledge) button(R.string.watch_acknowledge, "ack-${w.id}", row) {
                attempt(status) { session.acknowledgeWatch(w.id, app.now()) } ?: return@button
                Notifier.cancelWatchAlarm(this, w.id)
                Escalator.run(this)
                refresh()
            }
            held.addView(row)
        }
        val mine = attempt(status) { session.sentWatches() } ?: return
        lines(sent, WatchView.sent(mine))
    }
}

/** Pairing two phones for watch over me: her own code (to show or share), the buddy's code
 *  pasted, the six digits both screens must show, then save; the pairings, each linkable to
 *  one of her buddies (a check-in with that buddy is then also held by their phone), each
 *  with its number to change (messages not handed out yet go to the new one). */
class PairingActivity : SessionActivity() {
    private lateinit var status: TextView
    private lateinit var list: LinearLayout
    private lateinit var preview: TextView
    private var buddies: List<Buddy> = emptyList()

    override fun build() {
        status = label("", "status")
        buddies = runCatching { session.listBuddies().buddies }.getOrDefault(emptyList())

        label(getString(R.string.pairing_own_title))
        val ownName = field(R.string.pairing_own_name, "own-name")
        val ownCode = label("", "own-code").apply { setTextIsSelectable(true) }
        button(R.string.pairing_show, "own-show") {
            ownCode.text = attempt(status) { session.ownPairingCode(ownName.text.toString().trim()) } ?: return@button
        }
        button(R.string.pairing_share, "own-share") {
            val code = ownCode.text.toString().ifEmpty { return@button }
            startActivity(Intent.createChooser(Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, code), null))
        }

        label(getString(R.string.pairing_their_title))
        val theirCode = field(R.string.pairing_their_code, "their-code")
        button(R.string.pairing_preview, "pair-preview") {
            preview.text = ""
            val p = attempt(status) { session.previewPairing(WatchView.pasted(theirCode.text.toString())) } ?: return@button
            status.text = ""
            preview.text = say(UiText.Res(Msg.PAIRING_SAS, listOf(p.name, p.sas)))
        }
        preview = label("", "preview")
        val sas = field(R.string.pairing_sas_field, "sas", number = true)
        val name = field(R.string.field_name, "pair-name")
        val phone = field(R.string.field_phone, "pair-phone")
        val buddy = buddyChoice("pair-buddy", null)
        // The core sends by SMS only to a pairing with a number (else through another app):
        // choosing a buddy fills in their number when none was typed, for her to see.
        buddy.onItemSelectedListener = object : android.widget.AdapterView.OnItemSelectedListener {
            override fun onItemSelected(parent: android.widget.AdapterView<*>?, view: android.view.View?, position: Int, id: Long) {
                val number = buddies.getOrNull(position - 1)?.phone
                if (number != null && phone.text.isBlank()) phone.setText(number)
            }
            override fun onNothingSelected(parent: android.widget.AdapterView<*>?) {}
        }
        button(R.string.save, "pair-save") {
            val input = PairingInput(
                code = WatchView.pasted(theirCode.text.toString()), sas = sas.text.toString().trim(),
                name = name.text.toString().trim().ifEmpty { null }, phone = phone.text.toString().trim().ifEmpty { null },
                buddyId = chosen(buddy),
            )
            // Wrong digits: the core refuses (InvalidInput) and nothing is saved.
            attempt(status) { session.addPairing(input, app.now()) } ?: return@button
            for (e in listOf(theirCode, sas, name, phone)) e.text.clear()
            preview.text = ""
            status.text = say(UiText.Res(Msg.PAIRING_SAVED))
            // This phone may now hold her alarms: they need notifications (Android 13+).
            Permissions.request(this, notifications = true, alerts = false)
            refresh()
        }
        list = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }.also { root.addView(it) }
        refresh()
    }

    /** "No buddy" and then her buddies by name. */
    private fun buddyChoice(tag: String, current: String?, parent: LinearLayout = root): Spinner = Spinner(this).apply {
        this.tag = tag
        adapter = ArrayAdapter(this@PairingActivity, android.R.layout.simple_spinner_item, listOf("—") + buddies.map { it.name })
        setSelection(buddies.indexOfFirst { it.id == current } + 1)
    }.also { parent.addView(it) }

    private fun chosen(spinner: Spinner): String? = buddies.getOrNull(spinner.selectedItemPosition - 1)?.id

    private fun refresh() {
        list.removeAllViews()
        val pairings = attempt(status) { session.listPairings() } ?: return
        for (p in pairings) {
            val row = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
            val linked = buddies.firstOrNull { it.id == p.buddyId }?.name
            row.addView(TextView(this).apply {
                tag = "pairing-${p.id}"
                text = listOfNotNull(p.name, p.phone, linked?.let { say(UiText.Res(Msg.PAIRING_LINKED, listOf(it))) }).joinToString(" · ")
            })
            val choice = buddyChoice("link-choice-${p.id}", p.buddyId, row)
            button(R.string.pairing_link, "link-${p.id}", row) {
                attempt(status) { session.linkPairing(p.id, chosen(choice)) } ?: return@button
                status.text = say(UiText.Res(Msg.SAVED))
                refresh()
            }
            // Her buddy's number changed (or was never given): read as when pairing, the
            // core's error shown on a bad one and nothing changed; blank removes it.
            val number = field(R.string.field_phone, "phone-${p.id}", parent = row).apply {
                inputType = InputType.TYPE_CLASS_PHONE
                setText(p.phone.orEmpty())
            }
            button(R.string.pairing_phone_change, "phone-save-${p.id}", row) {
                attempt(status) { session.setPairingPhone(p.id, number.text.toString().trim().ifEmpty { null }) } ?: return@button
                status.text = say(UiText.Res(Msg.PAIRING_PHONE_CHANGED))
                refresh()
            }
            button(R.string.delete, "remove-${p.id}", row) {
                attempt(status) { session.removePairing(p.id) } ?: return@button
                refresh()
            }
            list.addView(row)
        }
    }
}
