package app.vigil.android

import android.os.Looper
import android.widget.Button
import android.widget.EditText
import org.junit.Assert.assertNotNull
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/**
 * Figures for docs/PERFORMANCE.md ("Android shell"): cold start to the unlock screen and
 * unlock to the first screen under Robolectric. Printed, never asserted: Robolectric on a
 * shared 2-core machine says nothing absolute about a phone; only the ratio is of use.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class)
class StartupTimingTest {
    @Test
    fun coldStartAndUnlock() {
        val app = RuntimeEnvironment.getApplication() as TestApp
        Setup(app).session.lock()
        app.lock()
        val t0 = System.nanoTime()
        val unlock = Robolectric.buildActivity(UnlockActivity::class.java).setup().get()
        val t1 = System.nanoTime()
        unlock.window.decorView.findViewWithTag<EditText>("passphrase").setText(PASSPHRASE)
        unlock.window.decorView.findViewWithTag<Button>("unlock").performClick()
        shadowOf(Looper.getMainLooper()).idle()
        val next = shadowOf(unlock).nextStartedActivity
        assertNotNull(next)
        Robolectric.buildActivity(HomeActivity::class.java, next).setup()
        val t2 = System.nanoTime()
        println("VIGIL-TIMING start-to-unlock-screen-ms=${(t1 - t0) / 1_000_000} unlock-to-first-screen-ms=${(t2 - t1) / 1_000_000} (KDF ${app.kdfIterations()} iterations)")
    }
}
