package app.vigil.android

import android.Manifest
import android.app.Activity
import android.os.Looper
import android.view.View
import android.widget.Button
import android.widget.Spinner
import android.widget.TextView
import app.vigil.android.logic.Parse
import app.vigil.core.types.BookingStatus
import java.time.ZoneId
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** Issue 20 on Android: a booking's status ("past, no status" from the core) and the
 *  check-in history screen, against the real core. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class)
class HistoryAndStatusTest {
    private lateinit var app: TestApp
    private lateinit var setup: Setup

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        shadowOf(app).grantPermissions(Manifest.permission.SEND_SMS, Manifest.permission.POST_NOTIFICATIONS)
        org.robolectric.shadows.ShadowAlarmManager.setCanScheduleExactAlarms(true)
        setup = Setup(app)
    }

    private fun Activity.view(tag: String): View = window.decorView.findViewWithTag<View>(tag) ?: error("no view tagged $tag")
    private fun Activity.click(tag: String) {
        (view(tag) as Button).performClick()
        shadowOf(Looper.getMainLooper()).idle()
    }
    private fun Activity.row(id: String) = (view("booking-$id") as TextView).text.toString()

    @Test
    fun aPastBookingWithoutStatusSaysSoUntilSheMarksIt() {
        val past = app.getString(R.string.booking_past_no_status)
        var screen = Robolectric.buildActivity(BookingsActivity::class.java).setup().get()
        assertFalse("not over yet", screen.row(setup.bookingId).contains(past))

        app.minutes(120)
        screen = Robolectric.buildActivity(BookingsActivity::class.java).setup().get()
        assertTrue(screen.row(setup.bookingId), screen.row(setup.bookingId).contains(past))

        screen.click("edit-${setup.bookingId}")
        (screen.view("booking-status") as Spinner).setSelection(BookingStatus.NO_SHOW.ordinal)
        screen.click("save")
        assertEquals(BookingStatus.NO_SHOW, setup.session.getBooking(setup.bookingId).details.status)
        assertFalse(screen.row(setup.bookingId).contains(past))
        assertTrue(screen.row(setup.bookingId).contains("no_show"))
    }

    @Test
    fun theHistoryListsAnEndedCheckin() {
        setup.startCheckin(60)
        app.minutes(10)
        setup.session.checkIn("4321", app.now())
        val screen = Robolectric.buildActivity(HistoryActivity::class.java).setup().get()
        val ended = app.getString(R.string.history_checked_in, Parse.format(app.now(), ZoneId.systemDefault()))
        assertTrue(screen.window.decorView.texts().toString(), screen.window.decorView.texts().any { it.contains(ended) })
    }
}
