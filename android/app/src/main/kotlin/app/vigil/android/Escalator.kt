package app.vigil.android

import android.app.AlarmManager
import android.app.PendingIntent
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.os.Build
import android.os.PowerManager
import android.telephony.SmsManager
import android.telephony.SmsMessage
import app.vigil.android.logic.ActionMapper
import app.vigil.android.logic.AlarmChoice
import app.vigil.android.logic.AlarmPlanner
import app.vigil.android.logic.SendLedger
import app.vigil.android.logic.ShellRequest
import app.vigil.android.logic.SmsResults
import app.vigil.android.logic.WatchMapper
import app.vigil.android.logic.actionIdFromKey
import app.vigil.android.logic.key
import app.vigil.core.Action
import app.vigil.core.ActionId
import app.vigil.core.BackgroundRunner
import app.vigil.core.Session
import app.vigil.core.WatchAction
import app.vigil.core.WatchReceipt
import app.vigil.core.types.Outcome
import java.time.Instant

/** The check-in and watch calls the timer and the SMS receiver need, from the session when
 *  unlocked and from the BackgroundRunner (device secret only) when locked. */
interface Escalation : AutoCloseable {
    fun tick(now: Instant): List<Action>
    fun watchTick(now: Instant): List<WatchAction>
    /** Accepted, or refused with the core's reason (which changed nothing else). */
    fun receiveWatch(text: String, now: Instant): WatchReceipt
    fun nextWakeup(): Instant?
    fun reportOutcome(id: ActionId, outcome: Outcome, now: Instant)
    fun acknowledgeWatch(watchId: String, now: Instant)

    /** The session stays open; a runner opened for one alarm is closed after it. */
    override fun close() {}
}

private class SessionEscalation(val s: Session) : Escalation {
    override fun tick(now: Instant) = s.tick(now)
    override fun watchTick(now: Instant) = s.watchTick(now)
    override fun receiveWatch(text: String, now: Instant) = s.receiveWatch(text, now)
    override fun nextWakeup() = s.nextWakeup()
    override fun reportOutcome(id: ActionId, outcome: Outcome, now: Instant) = s.reportOutcome(id, outcome, now)
    override fun acknowledgeWatch(watchId: String, now: Instant) = s.acknowledgeWatch(watchId, now)
}

private class RunnerEscalation(val r: BackgroundRunner) : Escalation {
    override fun tick(now: Instant) = r.tick(now)
    override fun watchTick(now: Instant) = r.watchTick(now)
    override fun receiveWatch(text: String, now: Instant) = r.receiveWatch(text, now)
    override fun nextWakeup() = r.nextWakeup()
    override fun reportOutcome(id: ActionId, outcome: Outcome, now: Instant) = r.reportOutcome(id, outcome, now)
    override fun acknowledgeWatch(watchId: String, now: Instant) = r.acknowledgeWatch(watchId, now)
    override fun close() = r.close()
}

/**
 * The timer: tick the core, perform what it returns, report each outcome, set the one
 * alarm at `nextWakeup`. Called by the alarm, by boot/clock/time-zone/update broadcasts,
 * by the SMS result receiver and by the screens after a check-in change.
 */
object Escalator {
    const val ACTION_ALARM = "app.vigil.android.ALARM"
    const val ACTION_SMS_SENT = "app.vigil.android.SMS_SENT"
    const val ACTION_SMS_DELIVERED = "app.vigil.android.SMS_DELIVERED"
    /** How long a send stays in the ledger (the core re-issues an id within minutes). */
    private val LEDGER_KEEP: java.time.Duration = java.time.Duration.ofDays(2)

    /** When to ask the core again after `nextWakeup` failed. */
    private val NEXT_WAKEUP_RETRY: java.time.Duration = java.time.Duration.ofMinutes(2)
    private const val PREFS = "escalation"
    private const val LEDGER = "ledger"

    fun escalation(app: VigilApp): Escalation? =
        app.openSession()?.let { SessionEscalation(it) } ?: app.backgroundRunner()?.let { RunnerEscalation(it) }

    /** Tick, perform, re-arm. Errors are kept from crashing the receiver, and the alarm is
     *  re-armed whatever happened (in `finally`) so a failure now is retried at the next
     *  wake-up: one action that throws must not leave every later alarm unset until the
     *  next boot or SMS. An action that throws is reported Failed, so the core moves on. */
    fun run(context: Context) {
        val app = VigilApp.of(context)
        val esc = try {
            escalation(app) ?: return cancelAlarm(context)
        } catch (e: Exception) {
            // The vault could not be opened now (storage): try again soon rather than never.
            return retrySoon(context)
        }
        esc.use {
            try {
                val now = app.now()
                // Her own check-ins, then the watches this phone holds or sends (docs/checkin.md,
                // "Shell duty": both at every wake-up; one reportOutcome takes both kinds of id).
                val requests = runCatching { esc.tick(now) }.getOrElse { emptyList() }.map(ActionMapper::map) +
                    runCatching { esc.watchTick(now) }.getOrElse { emptyList() }.map(WatchMapper::map)
                // A ledger that could not be read is used but never stored: storing it
                // would wipe what the stored one knows of SMS already in the radio.
                val loaded = runCatching { loadLedger(app) }
                val ledger = loaded.getOrElse { SendLedger.load(emptySet()) }
                if (loaded.isSuccess) ledger.onStarted = { runCatching { saveLedger(app, it) } }
                for (request in requests) {
                    runCatching { performer(app, esc, ledger, request, now) }
                        .onFailure { esc.report(request.action, Outcome.Failed("the action could not be performed"), now) }
                }
                if (loaded.isSuccess) runCatching {
                    ledger.forgetStartedBefore(now.minus(LEDGER_KEEP).toEpochMilli())
                    saveLedger(app, ledger)
                }
            } finally {
                arm(context, esc)
            }
        }
    }

    /** Performs one request; tests replace it to make one throw. */
    var performer: (VigilApp, Escalation, SendLedger, ShellRequest, Instant) -> Unit = ::perform

    val defaultPerformer: (VigilApp, Escalation, SendLedger, ShellRequest, Instant) -> Unit = ::perform

    private fun perform(app: VigilApp, esc: Escalation, ledger: SendLedger, request: ShellRequest, now: Instant) {
        val id = request.action
        when (request) {
            is ShellRequest.Notify -> {
                val ok = Notifier.notice(app, id.key(), request.text, request.urgent)
                esc.report(id, if (ok) Outcome.Sent else Outcome.Failed("notifications are turned off"), now)
            }
            is ShellRequest.Sms -> {
                if (!ledger.maySend(id, now.toEpochMilli())) {
                    // Already out (the radio said so): say Sent again rather than send twice.
                    // Still in the radio: keep it; its result is reported when it comes.
                    if (ledger.state(id) != SendLedger.State.IN_FLIGHT) esc.report(id, Outcome.Sent, now)
                    return
                }
                val failure = sendSms(app, id, request.phone, request.text, ledger, now)
                if (failure != null) esc.report(id, Outcome.Failed(failure), now)
            }
            is ShellRequest.BuddyAlarm -> {
                val ok = Notifier.buddyAlarm(app, request)
                esc.report(id, if (ok) Outcome.Sent else Outcome.Failed("notifications are turned off"), now)
            }
            is ShellRequest.Call -> esc.report(id, call(app, request.phone), now)
            is ShellRequest.NotSilently -> esc.report(id, Outcome.Failed("cannot be sent without showing it"), now)
            is ShellRequest.ShareToApp -> {
                Notifier.share(app, id.key(), request.text)
                // Sending needs her tap; the core moves on to the next channel meanwhile.
                esc.report(id, Outcome.Failed("needs a tap to share to another app"), now)
            }
        }
    }

    /**
     * An inbound watch message (the SMS receiver, or text she pasted): to the core, locked
     * or not, then a wake-up whatever the answer. Accepted, the ACK the core queued goes
     * out and the alarm follows the new deadline; refused, the core changed nothing but
     * may still have queued something (a replay of an accepted WATCH brings its ACK again,
     * because the worker's phone resends while it has none), which must not wait hours
     * for the next scheduled wake-up. The receipt says which, with the refusal's reason;
     * a failure other than a refusal (storage) throws, after the wake-up too; null when
     * there is no vault here at all.
     */
    fun receive(context: Context, text: String): WatchReceipt? {
        val app = VigilApp.of(context)
        val esc = escalation(app) ?: return null
        try {
            return esc.use { it.receiveWatch(text, app.now()) }
        } finally {
            run(context)
        }
    }

    private fun Escalation.report(id: ActionId, outcome: Outcome, now: Instant) {
        runCatching { reportOutcome(id, outcome, now) }
    }

    /** Starts the SMS with a sent and a delivery PendingIntent per part; returns a failure
     *  reason when it could not even be handed to the radio. */
    private fun sendSms(context: Context, id: ActionId, phone: String, text: String, ledger: SendLedger, now: Instant): String? {
        if (context.checkSelfPermission(android.Manifest.permission.SEND_SMS) != PackageManager.PERMISSION_GRANTED) return "SMS permission not granted"
        val sms = smsManager(context) ?: return "this phone cannot send SMS"
        // divideMessage is not available under Robolectric; one part is then what we send.
        val parts = runCatching { sms.divideMessage(text) }.getOrNull()?.takeIf { it.isNotEmpty() } ?: arrayListOf(text)
        val sent = ArrayList(parts.indices.map { resultIntent(context, ACTION_SMS_SENT, id, it) })
        val delivered = ArrayList(parts.indices.map { resultIntent(context, ACTION_SMS_DELIVERED, id, it) })
        ledger.started(id, parts.size, now.toEpochMilli())
        return try {
            if (parts.size == 1) sms.sendTextMessage(phone, null, parts[0], sent[0], delivered[0])
            else sms.sendMultipartTextMessage(phone, null, parts, sent, delivered)
            null
        } catch (e: RuntimeException) {
            ledger.sentResult(id, ok = false)
            "SMS could not be started"
        }
    }

    @Suppress("DEPRECATION")
    private fun smsManager(context: Context): SmsManager? = runCatching {
        if (Build.VERSION.SDK_INT >= 31) context.getSystemService(SmsManager::class.java) else SmsManager.getDefault()
    }.getOrNull()

    private fun resultIntent(context: Context, action: String, id: ActionId, part: Int): PendingIntent {
        val intent = Intent(context, SmsResultReceiver::class.java).setAction(action)
            .setData(Uri.parse("vigil-sms://$action/${id.key()}/$part"))
        // Mutable: the radio fills in the delivery PDU and the error code. The intent is
        // explicit (our own receiver), which is what Android 14 requires of mutable ones.
        return PendingIntent.getBroadcast(context, 0, intent, PendingIntent.FLAG_UPDATE_CURRENT or PendingIntent.FLAG_MUTABLE)
    }

    private fun call(context: Context, phone: String): Outcome {
        if (context.checkSelfPermission(android.Manifest.permission.CALL_PHONE) != PackageManager.PERMISSION_GRANTED) return Outcome.Failed("call permission not granted")
        // Android 10+ drops an activity started from the background without an error: a
        // call "placed" from the alarm would be reported Sent and never ring. Failed lets
        // the core move on to the next channel (and tell her).
        val app = VigilApp.of(context)
        if (app.sdkInt() >= 29 && !app.inForeground) return Outcome.Failed("a call cannot be started while the app is in the background")
        return try {
            context.startActivity(Intent(Intent.ACTION_CALL, Uri.fromParts("tel", phone, null)).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK))
            Outcome.Sent
        } catch (e: RuntimeException) {
            Outcome.Failed("the call could not be started")
        }
    }

    /** The radio's answer for one part of an SMS. */
    fun onSmsResult(context: Context, intent: Intent, resultCode: Int) {
        val segments = intent.data?.pathSegments ?: return
        val id = segments.getOrNull(0)?.let { actionIdFromKey(it) } ?: return
        val app = VigilApp.of(context)
        // The ledger first, without the vault: the radio's answer is kept even when the
        // escalation state cannot be opened now (a Keystore hiccup after boot, storage
        // busy); the core's re-issue of the id then finds it (sent: reported Sent again,
        // never a second SMS). Nothing here may throw out of the receiver.
        val outcome = runCatching { recordSmsResult(app, id, intent, resultCode) }.getOrNull()
        val esc = try {
            escalation(app) ?: return
        } catch (e: Exception) {
            return retrySoon(context)
        }
        esc.use {
            try {
                if (outcome != null) esc.report(id, outcome, app.now())
            } finally {
                arm(context, esc)
            }
        }
    }

    /** The radio's answer into the ledger; the outcome to report for it, if any. */
    private fun recordSmsResult(app: VigilApp, id: ActionId, intent: Intent, resultCode: Int): Outcome? {
        val ledger = loadLedger(app)
        val outcome = when (intent.action) {
            ACTION_SMS_SENT -> when (ledger.sentResult(id, resultCode == SmsResults.RESULT_OK)) {
                true -> Outcome.Sent
                false -> Outcome.Failed(SmsResults.failureReason(resultCode, intent.getIntExtra("errorCode", -1).takeIf { it != -1 }))
                null -> null
            }
            ACTION_SMS_DELIVERED -> {
                val status = deliveryStatus(intent) ?: return null
                val final = SmsResults.deliveryFinal(status) ?: return null
                val wasInFlight = ledger.state(id) == SendLedger.State.IN_FLIGHT
                when {
                    !ledger.deliveryResult(id, final) -> null
                    !final -> Outcome.Failed("not delivered")
                    wasInFlight -> Outcome.Sent
                    else -> null
                }
            }
            else -> null
        }
        saveLedger(app, ledger)
        return outcome
    }

    private fun deliveryStatus(intent: Intent): Int? {
        val pdu = intent.getByteArrayExtra("pdu") ?: return null
        val format = intent.getStringExtra("format") ?: SmsMessage.FORMAT_3GPP
        return runCatching { SmsMessage.createFromPdu(pdu, format)?.status }.getOrNull()
    }

    /** One alarm, at the core's next wake-up; replaces any earlier one. */
    fun arm(context: Context, esc: Escalation) {
        val app = VigilApp.of(context)
        val am = context.getSystemService(AlarmManager::class.java)
        val sdk = app.sdkInt()
        val canExact = sdk < 31 || am.canScheduleExactAlarms()
        // The countdown, the "alarms may be late" warning and an alarm clock follow the
        // lock-screen listing only: after a duress check-in it is empty, so nothing shows
        // that a silent alert is still being sent.
        val listing = runCatching { app.backgroundRunner()?.use { it.list() } }.getOrNull()
        val visible = !listing?.checkins.isNullOrEmpty()
        val power = context.getSystemService(PowerManager::class.java)
        val throttled = runCatching { power.isDeviceIdleMode || power.isPowerSaveMode }.getOrDefault(false)
        // The core could not say (storage busy, a damaged row): wake again soon and ask
        // again. "Nothing pending" would cancel the alarm, and with it every later step.
        val next = runCatching { esc.nextWakeup() }.getOrElse { app.now().plus(NEXT_WAKEUP_RETRY) }
        val choice = AlarmPlanner.choose(
            next, app.now(), AlarmPlanner.exactAllowed(sdk, canExact),
            sdk, throttled, discreet = !visible,
        )
        val pi = alarmIntent(context)
        when (choice) {
            AlarmChoice.None -> am.cancel(pi)
            is AlarmChoice.Exact -> am.setExactAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, choice.atMillis, pi)
            is AlarmChoice.Inexact -> am.setAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, choice.atMillis, pi)
            is AlarmChoice.Clock -> am.setAlarmClock(AlarmManager.AlarmClockInfo(choice.atMillis, alarmShowIntent(context)), pi)
        }
        Notifier.countdown(context, listing)
        Notifier.exactAlarmsDenied(context, choice is AlarmChoice.Inexact && visible)
    }

    /** A wake-up in five minutes, when the core could not even be asked for the next one. */
    private fun retrySoon(context: Context) {
        val am = context.getSystemService(AlarmManager::class.java)
        am.setAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, VigilApp.of(context).now().toEpochMilli() + 5 * 60_000, alarmIntent(context))
    }

    fun cancelAlarm(context: Context) {
        context.getSystemService(AlarmManager::class.java).cancel(alarmIntent(context))
        alarmShowIntent(context).cancel()
    }

    /** What tapping the next alarm (quick settings, lock screen) opens: the unlock screen,
     *  as a notification's tap does. */
    private fun alarmShowIntent(context: Context): PendingIntent = PendingIntent.getActivity(
        context, 1, Intent(context, UnlockActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK),
        PendingIntent.FLAG_UPDATE_CURRENT or PendingIntent.FLAG_IMMUTABLE,
    )

    private fun alarmIntent(context: Context): PendingIntent = PendingIntent.getBroadcast(
        context, 0, Intent(context, AlarmReceiver::class.java).setAction(ACTION_ALARM),
        PendingIntent.FLAG_UPDATE_CURRENT or PendingIntent.FLAG_IMMUTABLE,
    )

    private fun prefs(app: VigilApp) = app.storage.getSharedPreferences(PREFS, Context.MODE_PRIVATE)

    private fun loadLedger(app: VigilApp) = SendLedger.load(prefs(app).getStringSet(LEDGER, emptySet()) ?: emptySet())

    private fun saveLedger(app: VigilApp, ledger: SendLedger) {
        prefs(app).edit().putStringSet(LEDGER, ledger.save()).commit()
    }
}

/** The one exact alarm: tick the core. */
class AlarmReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) = Escalator.run(context)
}

/** Boot (also before the first unlock), clock and time-zone changes, app update and the
 *  exact-alarm permission changing: alarms are lost or may be wrong, so tick and re-arm. */
class RearmReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action == Intent.ACTION_TIMEZONE_CHANGED) {
            val app = VigilApp.of(context)
            app.openSession()?.let { s ->
                runCatching { s.setDeviceUtcOffset(java.util.TimeZone.getDefault().getOffset(app.now().toEpochMilli()) / 60_000) }
            }
        }
        Escalator.run(context)
    }
}

/** Sent and delivery results of the SMS the escalation sends. */
class SmsResultReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) = Escalator.onSmsResult(context, intent, resultCode)
}
