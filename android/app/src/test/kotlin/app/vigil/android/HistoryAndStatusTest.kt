package app.vigil.android

import android.Manifest
import android.app.Activity
import android.os.Looper
import android.view.View
import android.widget.Button
import android.widget.Spinner
import android.widget.TextView
import android.content.res.Configuration
import app.vigil.android.logic.BookingStatusView
import app.vigil.android.logic.Parse
import app.vigil.android.logic.UiText
import app.vigil.core.types.BookingStatus
import java.time.ZoneId
import java.util.Locale
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
        assertTrue(screen.row(setup.bookingId), screen.row(setup.bookingId).contains(app.getString(R.string.booking_status_no_show)))
        assertFalse("not the core's raw name", screen.row(setup.bookingId).contains("no_show"))
    }

    /** The status names in her language on the screen: the list and the form's choice. */
    @Test
    @Config(qualifiers = "es")
    fun statusNamesShowInSpanishOnTheBookingsScreen() {
        val screen = Robolectric.buildActivity(BookingsActivity::class.java).setup().get()
        screen.click("edit-${setup.bookingId}")
        (screen.view("booking-status") as Spinner).setSelection(BookingStatus.NO_SHOW.ordinal)
        screen.click("save")
        assertTrue(screen.row(setup.bookingId), screen.row(setup.bookingId).contains("no se presentó"))
        val choice = screen.view("booking-status") as Spinner
        val names = (0 until choice.adapter.count).map { choice.adapter.getItem(it).toString() }
        assertEquals(listOf("prevista", "en curso", "hecha", "cancelada", "no se presentó", "incidente"), names)
    }

    private fun res(status: BookingStatus): String = (BookingStatusView.name(status) as UiText.Res).msg.res

    /** Every status has its own name in each of the six languages, never the core's
     *  identifier (`no_show`, `in_progress`). */
    @Test
    fun statusNamesExistInEveryLanguage() {
        val english = BookingStatus.values().map { app.getString(app.resources.getIdentifier(res(it), "string", app.packageName)) }
        for (tag in listOf("en", "es", "pl", "pt", "pt-BR", "ro")) {
            val config = Configuration(app.resources.configuration).apply { setLocale(Locale.forLanguageTag(tag)) }
            val localized = app.createConfigurationContext(config)
            val names = BookingStatus.values().map { localized.getString(app.resources.getIdentifier(res(it), "string", app.packageName)) }
            assertEquals(tag, names.size, names.toSet().size)
            for ((status, name) in BookingStatus.values().zip(names)) {
                assertTrue("$tag $status", name.isNotBlank() && !name.contains('_'))
            }
            if (tag != "en") assertFalse("$tag no-show translated", names[BookingStatus.NO_SHOW.ordinal] == english[BookingStatus.NO_SHOW.ordinal])
        }
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
