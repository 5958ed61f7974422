package app.vigil.android

import android.app.NotificationManager
import app.vigil.android.logic.CallLabels
import app.vigil.core.NoteInput
import app.vigil.core.types.Risk
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** The call labels the screening service uses while locked come from the core, in memory. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class)
class ScreeningServiceTest {
    @Test
    fun labelsComeFromTheCoreAtUnlockAndStayInMemoryOnly() {
        val app = RuntimeEnvironment.getApplication() as TestApp
        val setup = Setup(app)
        setup.session.addNote(NoteInput(listOf("07700 900123"), "Dan from the bar", Risk.DANGER, "refused to pay"), app.now())
        app.setSession(setup.session)
        app.lock()
        val label = CallLabels.find(app.callLabels, "tel:+447700900123")
        assertEquals("Dan from the bar", label?.label)
        assertEquals(Risk.DANGER, label?.risk)
        // Nothing about the caller was written outside the vault.
        val files = app.storage.filesDir.walk().filter { it.isFile && !it.name.startsWith("vault") }
        assertTrue(files.none { it.readBytes().toString(Charsets.ISO_8859_1).contains("Dan from the bar") })
        Notifier.incomingCall(app, label!!.label)
        val n = shadowOf(app.getSystemService(NotificationManager::class.java)).allNotifications.single()
        assertEquals("lock screen shows a neutral text", app.getString(R.string.incoming_call_public), n.publicVersion.extras.getCharSequence("android.title"))
    }
}
