package app.vigil.android.logic

import app.vigil.core.Action
import app.vigil.core.ActionId
import app.vigil.core.ActionKind
import app.vigil.core.types.Channel

/** What the framework layer must do for one core action. No rule here: the core chose the
 *  channel, the text, the number and whether it is discreet; this only names the API. */
sealed class ShellRequest {
    abstract val action: ActionId

    /** A notification to the worker (reminder, overdue, escalating, a failed alert). */
    data class Notify(override val action: ActionId, val text: String, val urgent: Boolean) : ShellRequest()

    /** An SMS through SmsManager; Sent only when the radio's sent-intent says so. */
    data class Sms(override val action: ActionId, val phone: String, val text: String, val discreet: Boolean) : ShellRequest()

    /** A call intent to the buddy (never discreet: a discreet action is [NotSilently]). */
    data class Call(override val action: ActionId, val phone: String) : ShellRequest()

    /** A share to a messaging app the worker picks; needs her hands, so it is a notification
     *  she taps (never discreet: it cannot be done without a visible step). */
    data class ShareToApp(override val action: ActionId, val text: String) : ShellRequest()

    /** A discreet message on a channel that would show (the core sends those by SMS only;
     *  this holds if it ever did not): reported failed, nothing shown. */
    data class NotSilently(override val action: ActionId) : ShellRequest()

    /** Watch over me, buddy side: the core's reminder, alarm or next step for a watch this
     *  phone holds. A high-priority notification whose lock-screen copy says only that
     *  someone missed their deadline; the details are the core's [text], behind the lock. */
    data class BuddyAlarm(
        override val action: ActionId,
        val watchId: String,
        val notice: app.vigil.core.types.WatchNotice,
        val text: String,
    ) : ShellRequest()
}

object ActionMapper {
    fun map(action: Action): ShellRequest = when (val kind = action.kind) {
        is ActionKind.NotifyWorker -> ShellRequest.Notify(action.id, kind.text, urgent = kind.notice != app.vigil.core.types.WorkerNotice.REMINDER)
        is ActionKind.WorkerAlertFailed -> ShellRequest.Notify(action.id, kind.text, urgent = true)
        is ActionKind.MessageBuddy -> when {
            kind.channel == Channel.SMS -> ShellRequest.Sms(action.id, kind.phone, kind.text, kind.discreet)
            kind.discreet -> ShellRequest.NotSilently(action.id)
            kind.channel == Channel.CALL -> ShellRequest.Call(action.id, kind.phone)
            else -> ShellRequest.ShareToApp(action.id, kind.text)
        }
    }
}

/** The key an action id is stored and matched under ("checkin:seq"). */
fun ActionId.key(): String = "$checkin:$seq"

fun actionIdFromKey(key: String): ActionId? {
    val at = key.lastIndexOf(':')
    if (at <= 0) return null
    val seq = key.substring(at + 1).toUIntOrNull() ?: return null
    return ActionId(key.substring(0, at), seq)
}

/**
 * Which SMS are in the radio, and which delivery reports were already handled. It is what
 * keeps "never two sends for one id" (docs/bindings.md, "Action ids and retries") across
 * the alarm receiver, the result receiver and process death: the glue stores [save]'s
 * lines and reloads them with [load].
 */
class SendLedger(
    entries: Map<String, State> = emptyMap(),
    parts: Map<String, Int> = emptyMap(),
    since: Map<String, Long> = emptyMap(),
) {
    enum class State { IN_FLIGHT, SENT, FAILED, DELIVERED, UNDELIVERED }

    private val states = entries.toMutableMap()

    /** Parts of a multipart SMS whose sent result has not come yet. */
    private val pending = parts.toMutableMap()

    /** When each send in the radio started (epoch milliseconds). */
    private val startedAt = since.toMutableMap()

    fun state(id: ActionId): State? = states[id.key()]

    /** True when a new send may start: nothing in the radio for this id, and its last
     *  known result is a failure (or there is none). A send whose result has not come for
     *  [IN_FLIGHT_EXPIRY_MILLIS] counts as lost: a reboot or a dead battery takes the
     *  radio's answer with it, and waiting for it would hold that alert
     *  back until the core gives up on the channel. */
    fun maySend(id: ActionId, nowMillis: Long): Boolean = when (states[id.key()]) {
        null, State.FAILED, State.UNDELIVERED -> true
        State.IN_FLIGHT -> nowMillis - (startedAt[id.key()] ?: 0L) >= IN_FLIGHT_EXPIRY_MILLIS
        // SENT / DELIVERED: the core issued it again before our Sent reached it: report
        // Sent again instead of sending twice.
        State.SENT, State.DELIVERED -> false
    }

    /** Told after [started], before the SMS goes to the radio: the glue stores the ledger
     *  then, so a process killed right after the send still knows the SMS is out (its sent
     *  result, which starts a new process, finds it; the core's re-issue does not send a
     *  second copy). */
    var onStarted: ((SendLedger) -> Unit)? = null

    fun started(id: ActionId, parts: Int, nowMillis: Long) {
        states[id.key()] = State.IN_FLIGHT
        pending[id.key()] = parts
        startedAt[id.key()] = nowMillis
        onStarted?.invoke(this)
    }

    /** One part's sent-intent result. Returns the outcome to report now: true (Sent: every
     *  part is out), false (Failed: the first failing part), or null (nothing yet, or
     *  already reported). */
    fun sentResult(id: ActionId, ok: Boolean): Boolean? {
        val key = id.key()
        if (states[key] != State.IN_FLIGHT) return null
        if (!ok) {
            states[key] = State.FAILED
            pending.remove(key)
            return false
        }
        val left = (pending[key] ?: 1) - 1
        if (left > 0) {
            pending[key] = left
            return null
        }
        pending.remove(key)
        states[key] = State.SENT
        return true
    }

    /** The delivery report. Returns true only the first time a report arrives for an id, so
     *  a duplicate report (multipart, or a redelivered broadcast) is acted on once. */
    fun deliveryResult(id: ActionId, delivered: Boolean): Boolean {
        val current = states[id.key()]
        if (current == null || current == State.DELIVERED || current == State.UNDELIVERED || current == State.FAILED) return false
        states[id.key()] = if (delivered) State.DELIVERED else State.UNDELIVERED
        pending.remove(id.key())
        return true
    }

    /** Forgets every send that started before [cutoffMillis] (or whose start was never
     *  kept): the core re-issues an id within minutes of its first try, never days later,
     *  so old lines only grow the file (and keep a trace that check-ins were escalated). */
    fun forgetStartedBefore(cutoffMillis: Long) {
        states.keys.removeAll { key -> (startedAt[key] ?: 0L) < cutoffMillis }
        pending.keys.retainAll(states.keys)
        startedAt.keys.retainAll(states.keys)
    }

    /** Forget ids of check-ins that no longer exist (keeps the ledger small). */
    fun retainCheckins(live: Set<String>) {
        states.keys.removeAll { key -> live.none { key.startsWith("$it:") } }
        pending.keys.retainAll(states.keys)
        startedAt.keys.retainAll(states.keys)
    }

    /** One line per id: `key=STATE/parts left/started at` (lines without the last field,
     *  from before it, read as started long ago). */
    fun save(): Set<String> = states.map { (k, v) -> "$k=${v.name}/${pending[k] ?: 0}/${startedAt[k] ?: 0}" }.toSet()

    companion object {
        /** How long a send may stay in the radio without a result before it counts as lost
         *  (the core's own wait for an outcome is 2 minutes). */
        const val IN_FLIGHT_EXPIRY_MILLIS: Long = 3 * 60_000L

        fun load(lines: Set<String>): SendLedger {
            val states = mutableMapOf<String, State>()
            val parts = mutableMapOf<String, Int>()
            val since = mutableMapOf<String, Long>()
            for (line in lines) {
                val eq = line.lastIndexOf('=')
                if (eq <= 0) continue
                val fields = line.substring(eq + 1).split('/')
                val key = line.substring(0, eq)
                states[key] = runCatching { State.valueOf(fields[0]) }.getOrNull() ?: continue
                fields.getOrNull(1)?.toIntOrNull()?.takeIf { it > 0 }?.let { parts[key] = it }
                fields.getOrNull(2)?.toLongOrNull()?.takeIf { it > 0 }?.let { since[key] = it }
            }
            return SendLedger(states, parts, since)
        }
    }
}

/** Why the radio refused an SMS, from the sent-intent result code. The reason goes to the
 *  core's `Failed(reason)` and is shown to her in "alert failed" notices: no personal data. */
object SmsResults {
    // Values of android.app.Activity.RESULT_OK and SmsManager.RESULT_ERROR_*; plain numbers
    // here so this class stays free of framework imports (EscalationTest checks them).
    const val RESULT_OK = -1
    const val GENERIC_FAILURE = 1
    const val RADIO_OFF = 2
    const val NULL_PDU = 3
    const val NO_SERVICE = 4
    const val LIMIT_EXCEEDED = 5

    fun failureReason(resultCode: Int, errorCode: Int?): String = when (resultCode) {
        RADIO_OFF -> "radio off (airplane mode)"
        NO_SERVICE -> "no mobile service"
        NULL_PDU -> "message could not be encoded"
        LIMIT_EXCEEDED -> "SMS sending limit reached"
        GENERIC_FAILURE -> if (errorCode != null) "SMS failed (error $errorCode)" else "SMS failed"
        else -> "SMS failed (result $resultCode)"
    }

    /** A delivery report's TP-Status: 0..31 delivered, 32..63 still trying, 64+ failed. */
    fun deliveryFinal(status: Int): Boolean? = when {
        status < 0x20 -> true
        status < 0x40 -> null
        else -> false
    }
}
