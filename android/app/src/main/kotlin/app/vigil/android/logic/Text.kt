package app.vigil.android.logic

import app.vigil.core.VigilException

/** A string resource by name (android/tools/strings.py), so the plain classes can say what
 *  to show without the framework's R class. `StringsTest` checks every one exists. */
enum class Msg(val res: String) {
    WRONG_PASSPHRASE("wrong_passphrase"),
    PASSPHRASE_EMPTY("passphrase_empty"),
    REQUIRED("required"),
    BAD_TIME("bad_time"),
    BAD_MINUTES("bad_minutes"),
    UNREADABLE_RECORDS("unreadable_records"),
    CHECKED_IN("checked_in"),
    WRONG_CODE("wrong_code"),
    TOO_MANY_CODES("too_many_codes"),
    NOTHING_ARMED("nothing_armed"),
    CHECKIN_UNREADABLE("checkin_unreadable"),
    SCREEN_NOTHING("screen_nothing"),
    SCREEN_INCOMPLETE("screen_incomplete"),
    REPORTED_BY("reported_by"),
    YOUR_NOTE("your_note"),
    OPEN_NOW("open_now"),
    CLOSED_NOW("closed_now"),
    MAYBE_OPEN("maybe_open"),
    INCOMPLETE_PUBLISHER("incomplete_publisher"),
    IMPORTED("imported"),
    SAVED("saved"),
    EXPORTED("exported"),
    EXPORT_UNREADABLE("export_unreadable"),
    PANIC_WIPE_PENDING("panic_wipe_pending"),
    PANIC_WIPE_CANCELLED("panic_wipe_cancelled"),
    EXACT_ALARM_DENIED("exact_alarm_denied"),
    ERROR_GENERIC("error_generic"),
    WATCH_WATCHING("watch_watching"),
    WATCH_OVERDUE("watch_overdue"),
    WATCH_ALARM("watch_alarm"),
    WATCH_SAFE("watch_safe"),
    WATCH_CONFIRMED("watch_confirmed"),
    WATCH_SENT_UNCONFIRMED("watch_sent_unconfirmed"),
    WATCH_NOT_SENT("watch_not_sent"),
    WATCH_RECEIVED("watch_received"),
    PAIRING_SAS("pairing_sas"),
    PAIRING_SAVED("pairing_saved"),
    PAIRING_LINKED("pairing_linked"),
    HISTORY_CHECKED_IN("history_checked_in"),
    HISTORY_CANCELLED("history_cancelled"),
    HISTORY_ESCALATED("history_escalated"),
    BOOKING_PAST_NO_STATUS("booking_past_no_status"),
    BOOKING_STATUS_PLANNED("booking_status_planned"),
    BOOKING_STATUS_IN_PROGRESS("booking_status_in_progress"),
    BOOKING_STATUS_DONE("booking_status_done"),
    BOOKING_STATUS_CANCELLED("booking_status_cancelled"),
    BOOKING_STATUS_NO_SHOW("booking_status_no_show"),
    BOOKING_STATUS_INCIDENT("booking_status_incident"),
    WATCH_REFUSED("watch_refused"),
    WATCH_REFUSED_LINE("watch_refused_line"),
    REFUSAL_CUT_OFF("refusal_cut_off"),
    REFUSAL_DAMAGED("refusal_damaged"),
    REFUSAL_NOT_PAIRED("refusal_not_paired"),
    REFUSAL_WRONG_PHONE("refusal_wrong_phone"),
    REFUSAL_FORGED("refusal_forged"),
    REFUSAL_REPLAYED("refusal_replayed"),
    REFUSAL_NEWER("refusal_newer"),
    REFUSAL_OTHER("refusal_other"),
    REFUSAL_NOT_VIGIL("refusal_not_vigil"),
    REFUSAL_OUT_OF_ORDER("refusal_out_of_order"),
    PAIRING_PHONE_CHANGED("pairing_phone_changed"),
    ALARM_ACKNOWLEDGED("alarm_acknowledged"),
}

/** Something to show: a resource with arguments, or the core's own words (an error's
 *  `detail`, which names the field and never holds personal data). */
sealed class UiText {
    data class Res(val msg: Msg, val args: List<Any> = emptyList()) : UiText()
    data class Core(val text: String) : UiText()
}

object Errors {
    /** What a screen shows for a core error: the specific words for the ones she can act
     *  on, the core's detail (and hint) otherwise. */
    fun text(error: VigilException): UiText = when (error) {
        is VigilException.WrongPassphrase -> UiText.Res(Msg.WRONG_PASSPHRASE)
        is VigilException.WrongCode -> UiText.Res(Msg.WRONG_CODE)
        is VigilException.NothingArmed -> UiText.Res(Msg.NOTHING_ARMED)
        is VigilException.TooManyWrongCodes -> UiText.Res(Msg.TOO_MANY_CODES, listOf(retryAfterSeconds(error.detail)))
        else -> UiText.Core(listOfNotNull(detail(error), hint(error)).joinToString(" "))
    }

    private fun detail(error: VigilException): String? = field(error, "detail")
    private fun hint(error: VigilException): String? = field(error, "hint")

    // Every variant carries `detail` and `hint` (docs/bindings.md, "Errors"); read them
    // without a 30-arm `when` that would need editing for each new kind.
    private fun field(error: VigilException, name: String): String? =
        runCatching { error.javaClass.getMethod("get" + name.replaceFirstChar { it.uppercase() }).invoke(error) as String? }.getOrNull()

    /** The core puts the wait in seconds in `detail` (`Error::retry_after_secs`). */
    fun retryAfterSeconds(detail: String): Long = Regex("(\\d+)").findAll(detail).map { it.value.toLong() }.lastOrNull() ?: 60
}
