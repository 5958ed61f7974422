package app.vigil.android.logic

import app.vigil.core.HeldWatch
import app.vigil.core.SentWatch
import app.vigil.core.WatchAction
import app.vigil.core.WatchActionKind
import app.vigil.core.types.Channel
import app.vigil.core.types.WatchMessageKind
import app.vigil.core.types.WatchNotice
import app.vigil.core.types.WatchPhase
import java.time.ZoneId

/** "Watch over me" (docs/checkin.md): what the shell does with the core's watch actions and
 *  what the watch screens show. No rule here: the core chose the text, the channel, the
 *  number and the step; this only names the API. */
object WatchMapper {
    fun map(action: WatchAction): ShellRequest = when (val kind = action.kind) {
        // The text goes out exactly as given (it is sealed and signed for the other phone).
        is WatchActionKind.SendMessage -> {
            val phone = kind.phone
            if (kind.channel == Channel.SMS && phone != null) ShellRequest.Sms(action.id, phone, kind.text, discreet = false)
            else ShellRequest.ShareToApp(action.id, kind.text)
        }
        is WatchActionKind.NotifyBuddy -> ShellRequest.BuddyAlarm(action.id, kind.watchId, kind.notice, kind.text)
    }

    /** Whether a buddy notice says someone is overdue (the lock-screen copy says only that);
     *  a SAFE after the alarm is good news and shows a neutral lock-screen copy. */
    fun overdue(notice: WatchNotice): Boolean = notice != WatchNotice.SAFE_AFTER_ALARM

    /** The steps that must not be missed: the alarm and the calls after it go to the alarm
     *  channel with the full-screen alarm screen, insistent until acknowledged. The reminder
     *  before the alarm and the good news after it stay ordinary high-priority notices. */
    fun isAlarmStep(notice: WatchNotice): Boolean = when (notice) {
        WatchNotice.ALARM, WatchNotice.CALL_WORKER, WatchNotice.CALL_EMERGENCY -> true
        WatchNotice.REMINDER, WatchNotice.SAFE_AFTER_ALARM -> false
    }
}

/** The watch screens: the watches this phone holds for others, and the worker's own
 *  check-ins as her buddies' phones confirmed them. */
object WatchView {
    data class Held(val id: String, val text: UiText, val warning: Boolean, val canAcknowledge: Boolean)

    fun held(watches: List<HeldWatch>, zone: ZoneId): List<Held> = watches.map { w ->
        val deadline = w.terms?.deadline?.let { Parse.format(it, zone) } ?: "?"
        val msg = when (w.phase) {
            WatchPhase.WATCHING -> Msg.WATCH_WATCHING
            WatchPhase.OVERDUE -> Msg.WATCH_OVERDUE
            WatchPhase.ALARM -> Msg.WATCH_ALARM
            WatchPhase.SAFE -> Msg.WATCH_SAFE
        }
        val raised = w.phase == WatchPhase.ALARM || w.phase == WatchPhase.OVERDUE
        Held(w.id, UiText.Res(msg, listOf(w.workerName, deadline)), warning = raised, canAcknowledge = raised && !w.acknowledged)
    }

    /** One line per buddy of each watched check-in: the last message, sent, confirmed. A
     *  DURESS-SAFE already reads `SAFE` here (the core shows it so). */
    fun sent(watches: List<SentWatch>): List<Line> = watches.flatMap { s ->
        s.buddies.map { b ->
            val state = when {
                b.confirmed -> Msg.WATCH_CONFIRMED
                b.sent -> Msg.WATCH_SENT_UNCONFIRMED
                else -> Msg.WATCH_NOT_SENT
            }
            Line(UiText.Res(state, listOf(b.name, kindWord(b.last))), warning = !b.sent)
        }
    }

    /** The protocol's word for a message. DURESS-SAFE only ever shows on the buddy's phone
     *  (the core names it SAFE on the worker's), where "SAFE received" beside a duress
     *  alarm would read as the opposite of what it is. */
    fun kindWord(kind: WatchMessageKind): String = when (kind) {
        WatchMessageKind.WATCH -> "WATCH"
        WatchMessageKind.EXTEND -> "EXTEND"
        WatchMessageKind.SAFE -> "SAFE"
        WatchMessageKind.DURESS_SAFE -> "DURESS"
        WatchMessageKind.ACK -> "ACK"
    }

    /** Keeps the pairing-code and message fields' text as pasted, without the spaces and
     *  line breaks a messaging app or a copy may add (base64 and the prefixes have none). */
    fun pasted(text: String): String = text.filterNot { it.isWhitespace() }
}

/**
 * Inbound SMS: the system hands one message as its parts (a multipart SMS is several PDUs);
 * the parts of one sender are joined in order and only texts the core calls a watch message
 * go on. Everything else is left alone: this app is not an SMS app.
 */
object SmsInbox {
    data class Part(val sender: String?, val body: String)

    fun watchTexts(parts: List<Part>, isWatchMessage: (String) -> Boolean): List<String> =
        parts.groupBy { it.sender ?: "" }.values
            .map { same -> same.joinToString("") { it.body } }
            .filter(isWatchMessage)
}
