package app.vigil.android.logic

import app.vigil.core.VigilException
import app.vigil.core.WatchRefusal
import java.time.Duration
import java.time.Instant
import java.time.ZoneId

/**
 * Vigil SMS the core refused (watch over me). The core changed nothing for them; the shell
 * keeps only the reason's kind and the time (never the text or the sender), shows them on
 * the watch screen and tells the buddy with a quiet notice, so a message that was cut off
 * or did not come from a paired phone is not lost without a word.
 *
 * Notices: at most one per kind an hour, and none for replays (nor for a message older
 * than one already received, which a resend crossing a newer message looks like). A
 * replay is harmless by design (refused, nothing changes) and also what an honest phone's
 * resend of the same text looks like, so a notice for it would mostly cry wolf and could
 * be triggered at will by anyone holding a captured SMS; it still gets its line on the
 * watch screen. The hourly
 * limit keeps a stream of junk from flooding the phone while the first one of each kind is
 * always told.
 */
object Refusals {
    enum class Kind(val msg: Msg) {
        CUT_OFF(Msg.REFUSAL_CUT_OFF),
        DAMAGED(Msg.REFUSAL_DAMAGED),
        NOT_PAIRED(Msg.REFUSAL_NOT_PAIRED),
        WRONG_PHONE(Msg.REFUSAL_WRONG_PHONE),
        FORGED(Msg.REFUSAL_FORGED),
        REPLAYED(Msg.REFUSAL_REPLAYED),
        NEWER_VERSION(Msg.REFUSAL_NEWER),
        NOT_VIGIL(Msg.REFUSAL_NOT_VIGIL),
        OUT_OF_ORDER(Msg.REFUSAL_OUT_OF_ORDER),
        OTHER(Msg.REFUSAL_OTHER),
    }

    val NOTICE_EVERY: Duration = Duration.ofHours(1)
    const val KEPT = 20
    const val SHOWN = 5

    /** The kind of a refusal, from the reason the core gives with it (`WatchRefusal`):
     *  never from its English wording. */
    fun kind(reason: WatchRefusal): Kind = when (reason) {
        WatchRefusal.NOT_A_WATCH_MESSAGE -> Kind.NOT_VIGIL
        WatchRefusal.MALFORMED -> Kind.DAMAGED
        WatchRefusal.TRUNCATED -> Kind.CUT_OFF
        WatchRefusal.NEWER_VERSION -> Kind.NEWER_VERSION
        WatchRefusal.WRONG_RECIPIENT -> Kind.WRONG_PHONE
        WatchRefusal.UNKNOWN_SENDER -> Kind.NOT_PAIRED
        WatchRefusal.FORGED -> Kind.FORGED
        WatchRefusal.REPLAYED -> Kind.REPLAYED
        WatchRefusal.OUT_OF_ORDER -> Kind.OUT_OF_ORDER
    }

    /** A failure thrown while receiving (not a refusal the core gave a reason for: storage,
     *  or a refusal newer than these bindings): still recorded and told, as [Kind.OTHER]. */
    fun kind(error: VigilException): Kind = when (error) {
        is VigilException.NewerVersion -> Kind.NEWER_VERSION
        else -> Kind.OTHER
    }

    data class Entry(val kind: Kind, val at: Instant)

    /** The refusals kept (the last [KEPT]) and when each kind was last told. */
    class Log(entries: List<Entry> = emptyList(), notified: Map<Kind, Instant> = emptyMap()) {
        private val kept = entries.takeLast(KEPT).toMutableList()
        private val told = notified.toMutableMap()

        val entries: List<Entry> get() = kept.toList()

        /** Records one refusal; true when a notice is due for it. */
        fun record(kind: Kind, at: Instant): Boolean {
            kept += Entry(kind, at)
            while (kept.size > KEPT) kept.removeAt(0)
            if (kind == Kind.REPLAYED || kind == Kind.OUT_OF_ORDER) return false
            val last = told[kind]
            // A clock set back (last in the future) tells again rather than stay silent.
            val due = last == null || at.isBefore(last) || !at.isBefore(last.plus(NOTICE_EVERY))
            if (due) told[kind] = at
            return due
        }

        /** The watch screen's lines, newest first. */
        fun lines(zone: ZoneId): List<Line> = kept.asReversed().take(SHOWN).map {
            Line(UiText.Res(Msg.WATCH_REFUSED_LINE, listOf(Parse.format(it.at, zone), UiText.Res(it.kind.msg))), warning = true)
        }

        fun save(): String = (kept.map { "E ${it.kind.name} ${it.at.epochSecond}" } + told.map { (k, t) -> "N ${k.name} ${t.epochSecond}" })
            .joinToString("\n")

        companion object {
            fun load(saved: String?): Log {
                val entries = mutableListOf<Entry>()
                val notified = mutableMapOf<Kind, Instant>()
                for (line in saved.orEmpty().lines()) {
                    val parts = line.split(' ')
                    if (parts.size != 3) continue
                    val kind = runCatching { Kind.valueOf(parts[1]) }.getOrNull() ?: continue
                    val at = parts[2].toLongOrNull()?.let { Instant.ofEpochSecond(it) } ?: continue
                    when (parts[0]) {
                        "E" -> entries += Entry(kind, at)
                        "N" -> notified[kind] = at
                    }
                }
                return Log(entries, notified)
            }
        }
    }
}
