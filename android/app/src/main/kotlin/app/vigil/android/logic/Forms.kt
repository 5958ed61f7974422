package app.vigil.android.logic

import app.vigil.core.BookingInput
import app.vigil.core.VigilException
import app.vigil.core.types.BookingKind
import app.vigil.core.types.BookingStatus
import java.time.Instant
import java.time.LocalDateTime
import java.time.ZoneId
import java.time.format.DateTimeFormatter

/**
 * The booking form's fields exactly as typed. Parsing only turns text into the core's
 * types (a time, minutes); every rule (is the number valid, is the time sane) is the
 * core's, and a refusal comes back as [FormResult.Invalid] with the typed text untouched.
 */
data class BookingFields(
    val client: String = "",
    val phone: String = "",
    val time: String = "",
    val durationMinutes: String = "60",
    val kind: BookingKind = BookingKind.INCALL,
    val address: String = "",
) {
    fun toInput(zone: ZoneId, status: BookingStatus = BookingStatus.PLANNED): FormResult<BookingInput> {
        val errors = mutableMapOf<String, UiText>()
        if (client.isBlank()) errors["client"] = UiText.Res(Msg.REQUIRED)
        val start = Parse.localTime(time, zone)
        if (start == null) errors["time"] = UiText.Res(Msg.BAD_TIME)
        val minutes = Parse.minutes(durationMinutes)
        if (minutes == null) errors["duration"] = UiText.Res(Msg.BAD_MINUTES)
        if (errors.isNotEmpty() || start == null || minutes == null) return FormResult.Invalid(errors)
        return FormResult.Ok(
            BookingInput(
                clientLabel = client.trim(), clientPhone = phone.trim().ifEmpty { null },
                clientEmail = null, clientHandle = null, startsAt = start,
                endsAt = start.plusSeconds(minutes * 60), kind = kind,
                address = address.trim().ifEmpty { null }, latitude = null, longitude = null,
                terms = null, notes = null, status = status,
            ),
        )
    }

    companion object {
        fun from(input: BookingInput, zone: ZoneId) = BookingFields(
            client = input.clientLabel, phone = input.clientPhone ?: "",
            time = Parse.format(input.startsAt, zone),
            durationMinutes = input.endsAt?.let { ((it.epochSecond - input.startsAt.epochSecond) / 60).toString() } ?: "",
            kind = input.kind, address = input.address ?: "",
        )
    }
}

sealed class FormResult<out T> {
    data class Ok<T>(val value: T) : FormResult<T>()

    /** Field name to message; the form keeps showing what was typed. */
    data class Invalid(val errors: Map<String, UiText>) : FormResult<Nothing>()

    companion object {
        private val FIELDS = listOf(
            "end time" to "duration", "start time" to "time", "client" to "client",
            "phone" to "phone", "address" to "address", "name" to "name", "code" to "code",
        )

        /** A core refusal of a whole form: `InvalidInput`'s detail names the field. */
        fun fromCore(error: VigilException): Invalid {
            val text = Errors.text(error)
            val detail = (text as? UiText.Core)?.text?.lowercase() ?: ""
            // The core names the field in its own words ("end time: must be after ...").
            val field = FIELDS.firstOrNull { (words, _) -> detail.contains(words) }?.second ?: "form"
            return Invalid(mapOf(field to text))
        }
    }
}

object Parse {
    private val format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")

    fun localTime(text: String, zone: ZoneId): Instant? =
        runCatching { LocalDateTime.parse(text.trim(), format).atZone(zone).toInstant() }.getOrNull()

    fun format(instant: Instant, zone: ZoneId): String = format.format(instant.atZone(zone))

    /** Whole minutes as typed; range checks are the core's (InvalidInput beyond 12 hours). */
    fun minutes(text: String): Long? = text.trim().toLongOrNull()?.takeIf { it >= 0 }
}
