// No-op stand-ins for androidx.test:monitor (see androidx/test/Standins.kt).
package androidx.test.runner.lifecycle

import android.app.Activity

enum class Stage { PRE_ON_CREATE, CREATED, STARTED, RESUMED, PAUSED, STOPPED, RESTARTED, DESTROYED }

enum class ApplicationStage { PRE_ON_CREATE, CREATED }

interface ActivityLifecycleMonitor {
    fun getLifecycleStageOf(activity: Activity): Stage?
}

interface ApplicationLifecycleMonitor

object ActivityLifecycleMonitorRegistry {
    private var monitor: ActivityLifecycleMonitor? = null

    @JvmStatic
    fun getInstance(): ActivityLifecycleMonitor = monitor ?: error("no monitor registered")

    @JvmStatic
    fun registerInstance(monitor: ActivityLifecycleMonitor?) {
        this.monitor = monitor
    }
}

object ApplicationLifecycleMonitorRegistry {
    private var monitor: ApplicationLifecycleMonitor? = null

    @JvmStatic
    fun getInstance(): ApplicationLifecycleMonitor = monitor ?: error("no monitor registered")

    @JvmStatic
    fun registerInstance(monitor: ApplicationLifecycleMonitor?) {
        this.monitor = monitor
    }
}
