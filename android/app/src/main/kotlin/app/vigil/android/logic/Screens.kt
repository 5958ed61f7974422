package app.vigil.android.logic

import app.vigil.core.CheckInReceipt
import app.vigil.core.LockScreenListing
import app.vigil.core.MatchSource
import app.vigil.core.ScreenResult
import app.vigil.core.ServiceHit
import app.vigil.core.ServiceListing
import app.vigil.core.VigilException
import app.vigil.core.types.CheckinPhase
import app.vigil.core.types.OpenState
import java.time.Instant

/** One line of a screen: text plus how loud to show it. */
data class Line(val text: UiText, val warning: Boolean = false)

object ScreeningView {
    /** The answer to "who is this?": every match, and never an all-clear when a note or
     *  alert could not be read. */
    fun lines(result: ScreenResult): List<Line> {
        val out = mutableListOf<Line>()
        if (result.unreadableNotes > 0u || result.unreadableAlerts > 0u) out += Line(UiText.Res(Msg.SCREEN_INCOMPLETE), warning = true)
        if (result.matches.isEmpty()) {
            if (out.isEmpty()) out += Line(UiText.Res(Msg.SCREEN_NOTHING, listOf(result.normalized)))
            return out
        }
        for (match in result.matches) {
            val source = when (val s = match.source) {
                is MatchSource.Note -> UiText.Res(Msg.YOUR_NOTE, listOf(s.label))
                is MatchSource.Alert -> UiText.Res(Msg.REPORTED_BY, listOf(s.publisher))
            }
            out += Line(source, warning = match.risk >= app.vigil.core.types.Risk.CAUTION)
            out += Line(UiText.Core("${match.risk.name.lowercase()}: ${match.detail}"))
        }
        return out
    }
}

object ServicesView {
    data class Row(val hit: ServiceHit, val distance: String, val state: Msg)

    fun rows(listing: ServiceListing): List<Row> =
        listing.services.map { Row(it, distance(it.distanceM), state(it.openState)) } +
            listing.maybeOpen.map { Row(it, distance(it.distanceM), Msg.MAYBE_OPEN) }

    fun warnings(listing: ServiceListing): List<Line> =
        listOfNotNull(if (listing.unreadableIds.isNotEmpty()) Line(UiText.Res(Msg.UNREADABLE_RECORDS, listOf(listing.unreadableIds.size)), true) else null) +
            listing.incompletePublishers.map { Line(UiText.Res(Msg.INCOMPLETE_PUBLISHER, listOf(it)), true) }

    fun distance(metres: Double): String =
        if (metres < 1000) "${metres.toLong()} m" else String.format(java.util.Locale.ROOT, "%.1f km", metres / 1000)

    private fun state(state: OpenState): Msg = when (state) {
        OpenState.OPEN -> Msg.OPEN_NOW
        OpenState.CLOSED -> Msg.CLOSED_NOW
        OpenState.UNKNOWN -> Msg.MAYBE_OPEN
    }

    /** A `geo:` URI any maps app opens (no Google Play services). */
    fun directionsUri(hit: ServiceHit): String = "geo:0,0?q=${hit.latitude},${hit.longitude}"
}

/** The check-in code screen. The duress code gives the same receipt as the normal one
 *  (the core makes them indistinguishable), and this shows receipts one way only. */
object CheckinView {
    fun afterCheckIn(receipt: CheckInReceipt): UiText = UiText.Res(Msg.CHECKED_IN)

    fun afterError(error: VigilException): UiText = Errors.text(error)

    /** What the lock screen and the countdown notification may show. */
    data class Countdown(val deadline: Instant, val escalating: Boolean)

    fun countdown(listing: LockScreenListing): Countdown? =
        listing.checkins.minByOrNull { it.deadline }?.let { Countdown(it.deadline, it.phase == CheckinPhase.ESCALATING) }

    fun lockScreenWarnings(listing: LockScreenListing): List<Line> =
        listing.unreadableIds.map { Line(UiText.Res(Msg.CHECKIN_UNREADABLE), warning = true) }
}

/** The panic wipe's cancel window, in whole seconds left to show. */
object WipeView {
    const val WINDOW_SECONDS = 5u

    fun secondsLeft(dueAt: Instant, now: Instant): Long = maxOf(0, (dueAt.toEpochMilli() - now.toEpochMilli() + 999) / 1000)
}

/** Screening while the vault is locked: the in-memory copy of the core's call labels
 *  (filled at unlock, never written to disk) looked up by the E.164 digits the system
 *  gives. Numbers the system gives in national form are not matched while locked. */
object CallLabels {
    fun digits(handle: String): Long? {
        val number = handle.removePrefix("tel:").replace("%2B", "+")
        if (!number.startsWith("+")) return null
        return number.drop(1).filter { it.isDigit() }.takeIf { it.isNotEmpty() && it.length <= 15 }?.toLongOrNull()
    }

    fun find(labels: List<app.vigil.core.CallLabel>, handle: String): app.vigil.core.CallLabel? {
        val n = digits(handle) ?: return null
        val i = labels.binarySearchBy(n) { it.number }
        return if (i >= 0) labels[i] else null
    }
}
