// No-op stand-ins for androidx.test:monitor (see androidx/test/Standins.kt).
package androidx.test.runner.intent

import android.app.Instrumentation
import android.content.Intent

interface IntentMonitor

interface IntentStubber {
    fun getActivityResultForIntent(intent: Intent): Instrumentation.ActivityResult?
}

object IntentMonitorRegistry {
    @JvmStatic
    fun registerInstance(monitor: IntentMonitor?) {}
}

/** Not loaded: Robolectric then starts activities as usual. */
object IntentStubberRegistry {
    @JvmStatic
    fun isLoaded(): Boolean = false

    @JvmStatic
    fun getInstance(): IntentStubber = error("no intent stubber")
}
