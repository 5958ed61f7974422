package app.vigil.android

import android.widget.EditText
import android.widget.LinearLayout
import android.widget.TextView
import app.vigil.android.logic.CheckinView
import app.vigil.android.logic.Line
import app.vigil.android.logic.Msg
import app.vigil.android.logic.Parse
import app.vigil.android.logic.UiText
import app.vigil.android.logic.WatchView
import app.vigil.core.CheckinInput
import app.vigil.core.VigilException

/** Start a check-in (from a booking or on its own), extend it, check in with the code.
 *  The normal and the duress code take the same path and show the same words. */
class CheckinActivity : SessionActivity() {
    private lateinit var minutes: EditText
    private lateinit var code: EditText
    private lateinit var status: TextView
    private lateinit var armed: LinearLayout
    private val buddyChoices = mutableMapOf<String, android.widget.CheckBox>()

    override fun build() {
        permissionWarnings()
        minutes = field(R.string.field_minutes, "minutes", number = true).apply { setText("60") }
        // Buddies to alert; none ticked means every buddy (the core's default).
        runCatching { session.listBuddies().buddies }.getOrDefault(emptyList()).forEach { b ->
            buddyChoices[b.id] = android.widget.CheckBox(this).apply { text = b.name; tag = "buddy-${b.id}" }.also { root.addView(it) }
        }
        button(R.string.checkin_start, "start") { start() }
        button(R.string.checkin_extend, "extend") { extend() }
        code = field(R.string.field_code, "code", password = true)
        button(R.string.checkin_ok, "checkin") { checkIn() }
        status = label("", "status")
        armed = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }.also { root.addView(it) }
        refresh()
    }

    private fun typedMinutes(): Long? = Parse.minutes(minutes.text.toString()).also {
        minutes.error = if (it == null) say(UiText.Res(Msg.BAD_MINUTES)) else null
    }

    private fun start() {
        val m = typedMinutes() ?: return
        val now = app.now()
        val input = CheckinInput(
            deadline = now.plusSeconds(m * 60), buddyIds = buddyChoices.filterValues { it.isChecked }.keys.toList(), bookingId = intent.getStringExtra(EXTRA_BOOKING),
            reminderMinutes = null, graceMinutes = null, repeatMinutes = null,
        )
        attempt(status) { session.startCheckin(input, now) } ?: return
        status.text = ""
        // Armed: her alerts to her buddies go by SMS and call, which need these.
        Permissions.request(this, notifications = true, alerts = true)
        Escalator.run(this)
        refresh()
    }

    private fun extend() {
        val m = typedMinutes() ?: return
        val current = session.listCheckins().checkins.minByOrNull { it.deadline }
        if (current == null) {
            status.text = say(UiText.Res(Msg.NOTHING_ARMED))
            return
        }
        attempt(status) { session.extendCheckin(current.id, m, app.now()) } ?: return
        Escalator.run(this)
        refresh()
    }

    private fun checkIn() {
        val typed = code.text.toString()
        code.text.clear()
        status.text = try {
            say(CheckinView.afterCheckIn(session.checkIn(typed, app.now())))
        } catch (e: VigilException) {
            say(CheckinView.afterError(e))
        }
        Escalator.run(this)
        refresh()
    }

    private fun refresh() {
        armed.removeAllViews()
        val listing = attempt(status) { session.listCheckins() } ?: return
        if (listing.unreadableIds.isNotEmpty()) lines(armed, listOf(Line(UiText.Res(Msg.CHECKIN_UNREADABLE), true)))
        for (c in listing.checkins) {
            armed.addView(TextView(this).apply { text = "${getString(R.string.countdown_title)} ${Parse.format(c.deadline, java.time.ZoneId.systemDefault())}" })
        }
        // Whether each paired buddy's phone has her check-in (watch over me).
        runCatching { session.sentWatches() }.getOrNull()?.let { lines(armed, WatchView.sent(it)) }
    }

    companion object {
        const val EXTRA_BOOKING = "booking"
    }
}

/** The code entry shown over the lock screen: the vault stays locked and the check-in goes
 *  through the BackgroundRunner. Shows only what `list()` gives. */
class LockScreenCheckinActivity : VigilActivity() {
    override fun onCreate(savedInstanceState: android.os.Bundle?) {
        super.onCreate(savedInstanceState)
        val code = field(R.string.field_code, "code", password = true)
        val status = label("", "status")
        button(R.string.checkin_ok, "checkin") {
            val runner = app.backgroundRunner()
            val typed = code.text.toString()
            code.text.clear()
            status.text = when {
                runner == null -> say(UiText.Res(Msg.NOTHING_ARMED))
                else -> try {
                    say(CheckinView.afterCheckIn(runner.checkIn(typed, app.now())))
                } catch (e: VigilException) {
                    say(CheckinView.afterError(e))
                }
            }
            Escalator.run(this)
        }
        app.backgroundRunner()?.let { runner ->
            runCatching { runner.list() }.getOrNull()?.let { listing ->
                lines(root, CheckinView.lockScreenWarnings(listing))
            }
        }
    }
}
