package app.vigil.android

import android.content.Intent
import android.widget.ArrayAdapter
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.Spinner
import android.widget.TextView
import app.vigil.android.logic.BookingFields
import app.vigil.android.logic.BookingStatusView
import app.vigil.android.logic.FormResult
import app.vigil.android.logic.Line
import app.vigil.android.logic.Msg
import app.vigil.android.logic.UiText
import app.vigil.core.Booking
import app.vigil.core.VigilException
import app.vigil.core.types.BookingKind
import app.vigil.core.types.BookingStatus
import app.vigil.android.logic.Parse
import java.time.ZoneId

/** Bookings: the list, and one form for add and edit. A refused form keeps every field as
 *  typed and puts the message beside the field the core named. */
class BookingsActivity : SessionActivity() {
    private lateinit var client: EditText
    private lateinit var phone: EditText
    private lateinit var time: EditText
    private lateinit var duration: EditText
    private lateinit var kind: Spinner
    private lateinit var address: EditText
    private lateinit var bookingStatus: Spinner
    private lateinit var status: TextView
    private lateinit var list: LinearLayout
    private lateinit var delete: Button
    private var editing: Booking? = null
    private val zone: ZoneId get() = ZoneId.systemDefault()

    override fun build() {
        client = field(R.string.field_client, "client")
        phone = field(R.string.field_phone, "phone")
        time = field(R.string.field_time, "time")
        duration = field(R.string.field_duration, "duration", number = true).apply { setText("60") }
        kind = Spinner(this).apply {
            tag = "kind"
            adapter = ArrayAdapter(this@BookingsActivity, android.R.layout.simple_spinner_item, BookingKind.values().map { it.name.lowercase() })
        }.also { root.addView(it) }
        address = field(R.string.field_address, "address")
        // Done, cancelled, no-show: how the booking went (planned until she says).
        label(getString(R.string.booking_status))
        bookingStatus = Spinner(this).apply {
            tag = "booking-status"
            adapter = ArrayAdapter(this@BookingsActivity, android.R.layout.simple_spinner_item, BookingStatus.values().map { say(BookingStatusView.name(it)) })
        }.also { root.addView(it) }
        button(R.string.save, "save") { save() }
        delete = button(R.string.delete, "delete") { deleteCurrent() }.apply { isEnabled = false }
        status = label("", "status")
        list = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }.also { root.addView(it) }
        refresh()
    }

    private fun fields() = BookingFields(
        client.text.toString(), phone.text.toString(), time.text.toString(), duration.text.toString(),
        BookingKind.values()[kind.selectedItemPosition], address.text.toString(),
    )

    private fun show(f: BookingFields) {
        client.setText(f.client); phone.setText(f.phone); time.setText(f.time)
        duration.setText(f.durationMinutes); kind.setSelection(f.kind.ordinal); address.setText(f.address)
    }

    private fun showStatus(s: BookingStatus) = bookingStatus.setSelection(s.ordinal)

    private fun save() {
        for (e in listOf(client, phone, time, duration, address)) e.error = null
        status.text = ""
        when (val parsed = fields().toInput(zone, BookingStatus.values()[bookingStatus.selectedItemPosition])) {
            is FormResult.Invalid -> showErrors(parsed)
            is FormResult.Ok -> try {
                val current = editing
                if (current == null) session.addBooking(parsed.value, app.now()) else session.updateBooking(current.id, parsed.value, app.now())
                editing = null
                show(BookingFields())
                showStatus(BookingStatus.PLANNED)
                delete.isEnabled = false
                status.text = say(UiText.Res(Msg.SAVED))
                refresh()
            } catch (e: VigilException) {
                showErrors(FormResult.fromCore(e))
            }
        }
    }

    private fun showErrors(invalid: FormResult.Invalid) {
        val byField = mapOf("client" to client, "phone" to phone, "time" to time, "duration" to duration, "address" to address)
        for ((name, text) in invalid.errors) {
            val view = byField[name]
            if (view != null) view.error = say(text) else status.text = say(text)
        }
    }

    private fun deleteCurrent() {
        val current = editing ?: return
        attempt(status) { session.deleteBooking(current.id) } ?: return
        editing = null
        show(BookingFields())
        showStatus(BookingStatus.PLANNED)
        delete.isEnabled = false
        refresh()
    }

    private fun refresh() {
        list.removeAllViews()
        val listing = attempt(status) { session.listBookings(null, null) } ?: return
        if (listing.unreadableIds.isNotEmpty()) lines(list, listOf(Line(UiText.Res(Msg.UNREADABLE_RECORDS, listOf(listing.unreadableIds.size)), true)))
        val awaiting = runCatching { session.bookingsAwaitingOutcome(app.now()) }.getOrDefault(emptyList()).toSet()
        for (b in listing.bookings) {
            val row = LinearLayout(this).apply { orientation = LinearLayout.HORIZONTAL }
            val waiting = b.id in awaiting
            row.addView(TextView(this).apply {
                tag = "booking-${b.id}"
                text = "${b.details.clientLabel} · ${Parse.format(b.details.startsAt, zone)} · ${say(BookingStatusView.text(b.details.status, waiting))}"
                if (waiting) setTextColor(0xFFB71C1C.toInt())
            })
            button(R.string.save, "edit-${b.id}", row) {
                editing = b
                show(BookingFields.from(b.details, zone))
                showStatus(b.details.status)
                delete.isEnabled = true
            }.setText(R.string.edit)
            button(R.string.checkin_start, "checkin-${b.id}", row) {
                startActivity(Intent(this, CheckinActivity::class.java).putExtra(CheckinActivity.EXTRA_BOOKING, b.id))
            }
            list.addView(row)
        }
    }
}
