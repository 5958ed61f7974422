package app.vigil.android.logic

import app.vigil.core.CheckinHistory
import app.vigil.core.types.BookingStatus
import java.time.ZoneId

/** The check-in history screen (issue 20): ended check-ins, latest first, as the core gives
 *  them. A duress check-in reads as a check-in (the core reports it so); nothing here can
 *  tell them apart. */
object HistoryView {
    fun lines(history: CheckinHistory, zone: ZoneId): List<Line> {
        val out = mutableListOf<Line>()
        if (history.unreadableIds.isNotEmpty()) out += Line(UiText.Res(Msg.UNREADABLE_RECORDS, listOf(history.unreadableIds.size)), warning = true)
        for (e in history.entries) {
            val ended = Parse.format(e.endedAt, zone)
            out += Line(UiText.Res(if (e.checkedIn) Msg.HISTORY_CHECKED_IN else Msg.HISTORY_CANCELLED, listOf(ended)))
            if (e.escalated) out += Line(UiText.Res(Msg.HISTORY_ESCALATED, listOf(ended, e.buddiesAlerted.toInt())), warning = true)
        }
        return out
    }
}

/** A booking's status on the bookings screen: the core's "past, no status" (over, still
 *  planned or in progress: `bookingsAwaitingOutcome`) is shown as waiting for her word;
 *  every status by its name in her language (the core's names, `no_show`, are not words). */
object BookingStatusView {
    fun text(status: BookingStatus, awaiting: Boolean): UiText =
        if (awaiting) UiText.Res(Msg.BOOKING_PAST_NO_STATUS) else name(status)

    /** The status's own name, for the list and the form's choice. */
    fun name(status: BookingStatus): UiText = UiText.Res(
        when (status) {
            BookingStatus.PLANNED -> Msg.BOOKING_STATUS_PLANNED
            BookingStatus.IN_PROGRESS -> Msg.BOOKING_STATUS_IN_PROGRESS
            BookingStatus.DONE -> Msg.BOOKING_STATUS_DONE
            BookingStatus.CANCELLED -> Msg.BOOKING_STATUS_CANCELLED
            BookingStatus.NO_SHOW -> Msg.BOOKING_STATUS_NO_SHOW
            BookingStatus.INCIDENT -> Msg.BOOKING_STATUS_INCIDENT
        },
    )
}
