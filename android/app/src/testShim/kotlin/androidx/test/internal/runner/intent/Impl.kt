// No-op stand-in for androidx.test:monitor (see androidx/test/Standins.kt).
package androidx.test.internal.runner.intent

import android.content.Intent
import androidx.test.runner.intent.IntentMonitor

class IntentMonitorImpl : IntentMonitor {
    fun signalIntent(intent: Intent) {}
}
