// No-op stand-ins for the androidx.test classes Robolectric's runner touches. The real
// androidx.test:monitor is not reachable from this machine (/work/shared/docs/SHELLS.md);
// Robolectric only registers and signals through these, and no test here reads them.
@file:Suppress("unused", "UNUSED_PARAMETER")

package androidx.test.platform.app

import android.app.Instrumentation
import android.os.Bundle

object InstrumentationRegistry {
    private var instrumentation: Instrumentation? = null
    private var arguments: Bundle? = null

    @JvmStatic
    fun registerInstance(instrumentation: Instrumentation?, arguments: Bundle?) {
        this.instrumentation = instrumentation
        this.arguments = arguments
    }

    @JvmStatic
    fun getInstrumentation(): Instrumentation = instrumentation ?: error("no instrumentation registered")

    @JvmStatic
    fun getArguments(): Bundle = arguments ?: Bundle()
}
