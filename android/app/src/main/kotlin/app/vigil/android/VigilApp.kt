package app.vigil.android

import android.app.Activity
import android.app.Application
import android.content.Context
import android.os.Bundle
import android.view.WindowManager
import app.vigil.core.BackgroundRunner
import app.vigil.core.Session
import app.vigil.core.Vault
import java.io.File
import java.time.Instant

/**
 * Holds the vault, the open session (if any) and the device secret. Every window gets
 * FLAG_SECURE; the session locks when the last activity stops (the app went to the
 * background) and after the core's idle timeout.
 */
open class VigilApp : Application() {
    /** Device-protected storage: readable before the first unlock after a reboot, so the
     *  alarm receiver can run the BackgroundRunner in direct boot. The vault is encrypted by
     *  the core and the device secret wrapped by the Keystore, so nothing is readable here
     *  without the passphrase or the Keystore key. */
    open val storage: Context by lazy { createDeviceProtectedStorageContext() }

    val vaultFile: File get() = File(storage.filesDir, "vault.db")

    val vault: Vault by lazy { Vault(vaultFile.path) }

    open fun wrappingKeys(): WrappingKeys = AndroidKeystoreKeys()

    val secrets: DeviceSecretStore by lazy { DeviceSecretStore(wrappingKeys(), File(storage.filesDir, "device-secret.bin")) }

    /** Key-derivation cost at create: null is the core's default; tests lower it. */
    open fun kdfIterations(): UInt? = null

    /** The clock every core call uses; tests move it. */
    open fun now(): Instant = Instant.now()

    /** The Android version the alarm choice follows (`AlarmPlanner`); tests set it. */
    open fun sdkInt(): Int = android.os.Build.VERSION.SDK_INT

    /** False only when the system refuses full-screen intents (Android 14+: the person, or
     *  the store that installed the app, turned "full screen notifications" off). Tests
     *  set it (Robolectric has no such service). */
    open fun canUseFullScreenIntent(): Boolean {
        if (android.os.Build.VERSION.SDK_INT < 34) return true
        return runCatching { getSystemService(android.app.NotificationManager::class.java).canUseFullScreenIntent() }.getOrDefault(true)
    }

    @Volatile
    var session: Session? = null
        private set

    /** Call labels kept in memory while the process lives, for screening while locked. */
    @Volatile
    var callLabels: List<app.vigil.core.CallLabel> = emptyList()

    private var started = 0

    /** One of the app's screens is started (visible): only then may it start a call, since
     *  Android 10+ silently drops an activity started from the background. */
    val inForeground: Boolean get() = started > 0

    /** True while a system screen we opened for a result (the export file picker) covers
     *  ours: leaving for it is not going to the background. The core's idle lock still runs. */
    @Volatile
    var systemPickerOpen = false

    override fun onCreate() {
        super.onCreate()
        // A wipe whose clean-up did not run (killed in between): finish it before anything
        // reads what it left.
        Traces.finishInterruptedWipe(this)
        registerActivityLifecycleCallbacks(object : ActivityLifecycleCallbacks {
            override fun onActivityCreated(activity: Activity, state: Bundle?) {
                activity.window.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
            }
            override fun onActivityStarted(activity: Activity) { started++ }
            override fun onActivityStopped(activity: Activity) {
                started--
                if (started <= 0 && !activity.isChangingConfigurations && !systemPickerOpen) lock()
            }
            override fun onActivityResumed(activity: Activity) {}
            override fun onActivityPaused(activity: Activity) {}
            override fun onActivitySaveInstanceState(activity: Activity, state: Bundle) {}
            override fun onActivityDestroyed(activity: Activity) {}
        })
    }

    /** The unlocked session, or null when locked (by hand, background, or the core's idle
     *  timeout). */
    fun openSession(): Session? {
        val s = session ?: return null
        if (s.isLocked()) {
            lock()
            return null
        }
        return s
    }

    fun setSession(s: Session) {
        session = s
        callLabels = runCatching { s.callLabels().sortedBy { it.number } }.getOrDefault(emptyList())
        s.setDeviceUtcOffset(java.util.TimeZone.getDefault().getOffset(now().toEpochMilli()) / 60_000)
    }

    fun lock() {
        session?.let { runCatching { it.lock() } }
        session = null
    }

    /** The runner for escalation while locked; null before any vault or secret exists. */
    fun backgroundRunner(): BackgroundRunner? {
        if (!vaultFile.exists() || !secrets.exists()) return null
        return vault.backgroundRunner(secrets.getOrCreate())
    }

    /** The session and what was read from it are dropped (the vault is gone). Locked first:
     *  its keys and SQLite handles go now, not at the next garbage collection, and a screen
     *  still holding it finds it locked. */
    fun forgetSession() {
        lock()
        callLabels = emptyList()
    }

    /** The vault was wiped (panic wipe, unlock limit) or found gone: every trace the shell
     *  kept outside it goes too ([Traces.erase]). False when the device secret or a file
     *  could not be deleted (the caller says so). */
    fun wiped(): Boolean = Traces.erase(this)

    companion object {
        fun of(context: Context): VigilApp = context.applicationContext as VigilApp
    }
}
