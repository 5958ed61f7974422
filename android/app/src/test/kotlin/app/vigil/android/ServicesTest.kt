package app.vigil.android

import android.Manifest
import android.content.Intent
import android.location.Location
import android.location.LocationManager
import android.net.Uri
import android.widget.Button
import android.widget.TextView
import java.io.File
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** A directory bundle shared to the app, then services near the phone's last location. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class)
class ServicesTest {
    private lateinit var app: TestApp
    private val fixtures = File(System.getProperty("vigil.fixtures") ?: error("vigil.fixtures not set"))

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
    }

    private fun status(a: android.app.Activity) = a.window.decorView.findViewWithTag<TextView>("status").text.toString()

    @Test
    fun aSharedBundleIsImportedAndNearbyServicesOpenInAMapsApp() {
        val setup = Setup(app)
        // A bundle from an unknown publisher is refused with the core's words, nothing imported.
        val shared = File(app.cacheDir, "directory.bundle").apply { writeBytes(File(fixtures, "directory.bundle").readBytes()) }
        val send = Intent(Intent.ACTION_SEND).setType("application/octet-stream").putExtra(Intent.EXTRA_STREAM, Uri.fromFile(shared))
        val refused = Robolectric.buildActivity(ImportActivity::class.java, send).setup().get()
        assertTrue(status(refused).isNotEmpty())
        assertTrue(setup.session.feedStatus(app.now()).isEmpty())

        setup.session.trustPublisher("Test project", File(fixtures, "publisher.pub").readText(), app.now())
        val imported = Robolectric.buildActivity(ImportActivity::class.java, send).setup().get()
        assertTrue(status(imported), status(imported).startsWith(app.getString(R.string.imported, 0).substringBefore("0")))

        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_COARSE_LOCATION)
        val lm = shadowOf(app.getSystemService(LocationManager::class.java))
        lm.setLastKnownLocation(LocationManager.NETWORK_PROVIDER, Location(LocationManager.NETWORK_PROVIDER).apply {
            latitude = 51.5136; longitude = -0.1365; accuracy = 50f; time = app.now().toEpochMilli()
        })
        val screen = Robolectric.buildActivity(ServicesActivity::class.java).setup().get()
        val directions = screen.window.decorView.texts().count { it.contains(app.getString(R.string.directions)) }
        assertTrue("services listed with directions", directions > 0)
        val button = generateSequence(listOf<android.view.View>(screen.window.decorView)) { level ->
            level.flatMap { v -> if (v is android.view.ViewGroup) (0 until v.childCount).map { v.getChildAt(it) } else emptyList() }.ifEmpty { null }
        }.flatten().first { (it.tag as? String)?.startsWith("directions-") == true } as Button
        button.performClick()
        val maps = shadowOf(screen).nextStartedActivity
        assertEquals(Intent.ACTION_VIEW, maps.action)
        assertEquals("geo", maps.data!!.scheme)
    }

    @Test
    fun withoutLocationItSaysSo() {
        Setup(app)
        val screen = Robolectric.buildActivity(ServicesActivity::class.java).setup().get()
        assertEquals(app.getString(R.string.services_no_location), status(screen))
    }
}
