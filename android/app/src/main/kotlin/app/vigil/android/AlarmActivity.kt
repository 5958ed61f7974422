package app.vigil.android

import android.app.KeyguardManager
import android.content.Intent
import android.os.Build
import android.os.Bundle
import android.view.View
import android.view.WindowManager
import android.widget.Button
import android.widget.TextView
import app.vigil.android.logic.Errors
import app.vigil.android.logic.Msg
import app.vigil.android.logic.UiText
import app.vigil.core.VigilException

/**
 * The buddy's alarm screen (watch over me), opened by an alarm step's full-screen intent:
 * over the lock screen, turning the screen on. While the phone is locked it shows only the
 * words the lock screen already uses for every step ("someone you watch over missed their
 * check-in deadline"), so a missed deadline and a duress alarm look the same to whoever
 * sees the locked phone; unlocked, it shows the core's text with the details.
 *
 * "I've got it" acknowledges the watch in the core (its later steps stop), with the vault
 * locked or not. On the lock screen it first asks the system to unlock the phone
 * (`requestDismissKeyguard`): someone holding the buddy's locked phone cannot acknowledge
 * the watch (its later steps still come), and the buddy sees the details as they take it
 * on. They can still quiet the sound: pulling down the notification shade stops
 * FLAG_INSISTENT's repeat, and the volume keys work as for any alarm (README, "Android").
 */
class AlarmActivity : VigilActivity() {
    private lateinit var details: TextView
    private lateinit var status: TextView
    private lateinit var gotIt: Button
    private var acknowledged = false

    private val keyguard: KeyguardManager get() = getSystemService(KeyguardManager::class.java)
    private val locked: Boolean get() = keyguard.isKeyguardLocked

    override fun onCreate(savedInstanceState: Bundle?) {
        // No title bar: over the lock screen nothing but the neutral words (not even the
        // app's name, which camouflage hides from the launcher).
        setTheme(android.R.style.Theme_Material_Light_NoActionBar)
        super.onCreate(savedInstanceState)
        if (Build.VERSION.SDK_INT >= 27) {
            setShowWhenLocked(true)
            setTurnScreenOn(true)
        } else {
            @Suppress("DEPRECATION")
            window.addFlags(WindowManager.LayoutParams.FLAG_SHOW_WHEN_LOCKED or WindowManager.LayoutParams.FLAG_TURN_SCREEN_ON)
        }
        label(getString(R.string.watch_alarm_public), "alarm-title")
        details = label("", "alarm-details")
        gotIt = button(R.string.alarm_got_it, "got-it") { gotIt() }
        status = label("", "status")
        button(R.string.alarm_close, "close") { finish() }
        synchronized(open) { open += this }
        show()
    }

    override fun onDestroy() {
        synchronized(open) { open -= this }
        super.onDestroy()
    }

    /** A next step (or another watch's alarm) while this screen is up: show that one. */
    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        setIntent(intent)
        acknowledged = false
        status.text = ""
        show()
    }

    override fun onResume() {
        super.onResume()
        show()
    }

    /** Unlocked (or locked again) while this screen is up: the details follow. */
    override fun onWindowFocusChanged(hasFocus: Boolean) {
        super.onWindowFocusChanged(hasFocus)
        if (hasFocus) show()
    }

    private fun show() {
        details.text = if (locked) getString(R.string.alarm_unlock_hint) else intent.getStringExtra(EXTRA_TEXT).orEmpty()
        gotIt.visibility = if (acknowledged) View.GONE else View.VISIBLE
    }

    private fun gotIt() {
        if (!locked) return acknowledge()
        keyguard.requestDismissKeyguard(this, object : KeyguardManager.KeyguardDismissCallback() {
            override fun onDismissSucceeded() = acknowledge()

            // Not unlocked: nothing was acknowledged; say so rather than nothing.
            override fun onDismissCancelled() {
                status.text = getString(R.string.alarm_not_acknowledged)
            }

            override fun onDismissError() {
                status.text = getString(R.string.alarm_not_acknowledged)
            }
        })
    }

    private fun acknowledge() {
        val watchId = intent.getStringExtra(EXTRA_WATCH) ?: return finish()
        val app = app
        try {
            val done = Escalator.escalation(app)?.use { it.acknowledgeWatch(watchId, app.now()) }
            if (done == null) {
                // No vault here any more (wiped): nothing could be acknowledged.
                status.text = getString(R.string.alarm_not_acknowledged)
                return
            }
        } catch (e: VigilException) {
            // Not acknowledged: the alarm stays. A watch the core no longer holds has no
            // steps left, so its alarm is withdrawn too.
            status.text = say(Errors.text(e))
            if (e !is VigilException.NotFound) return
        }
        acknowledged = true
        Notifier.cancelWatchAlarm(this, watchId)
        intent.getStringExtra(EXTRA_TEXT)?.let { Notifier.watchDetails(this, watchId, it) }
        // The watch's next wake-up changed: tick and re-arm.
        Escalator.run(this)
        if (status.text.isEmpty()) status.text = say(UiText.Res(Msg.ALARM_ACKNOWLEDGED))
        show()
    }

    companion object {
        const val EXTRA_WATCH = "watch"
        const val EXTRA_NOTICE = "notice"
        const val EXTRA_TEXT = "text"

        /** The alarm screens up now. It runs in its own task (taskAffinity ""), so a wipe's
         *  CLEAR_TASK does not close it: [closeAll] does. */
        private val open = java.util.Collections.newSetFromMap(java.util.WeakHashMap<AlarmActivity, Boolean>())

        /** The vault was wiped: no alarm screen stays up with a watch's text. */
        fun closeAll() {
            val screens = synchronized(open) { open.toList().also { open.clear() } }
            for (screen in screens) runCatching { screen.finish() }
        }
    }
}
