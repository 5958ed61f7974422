package app.vigil.android

import android.app.Activity
import android.content.Intent
import android.os.Bundle
import android.text.InputType
import android.view.View
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import app.vigil.android.logic.Errors
import app.vigil.android.logic.Line
import app.vigil.android.logic.UiText
import app.vigil.core.Session
import app.vigil.core.VigilException

/** Screens are built in code from framework widgets (no AndroidX, no layout inflation to
 *  keep in step); what they show comes from the plain classes in `logic`. */
abstract class VigilActivity : Activity() {
    protected val app: VigilApp get() = VigilApp.of(this)
    protected lateinit var root: LinearLayout

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        root = LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            setPadding(32, 32, 32, 32)
        }
        setContentView(ScrollView(this).apply { addView(root) })
    }

    fun say(text: UiText): String = when (text) {
        is UiText.Core -> text.text
        is UiText.Res -> {
            val id = resources.getIdentifier(text.msg.res, "string", packageName)
            // An argument may itself be a text to resolve (a reason inside a sentence).
            getString(id, *text.args.map { if (it is UiText) say(it) else it }.toTypedArray())
        }
    }

    protected fun label(text: String, tag: String? = null): TextView =
        TextView(this).apply { this.text = text; this.tag = tag }.also { root.addView(it) }

    protected fun field(hint: Int, tag: String, password: Boolean = false, number: Boolean = false, parent: LinearLayout = root): EditText =
        EditText(this).apply {
            setHint(hint)
            this.tag = tag
            inputType = when {
                password -> InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PASSWORD
                number -> InputType.TYPE_CLASS_NUMBER
                else -> InputType.TYPE_CLASS_TEXT
            }
        }.also { parent.addView(it) }

    protected fun button(text: Int, tag: String, parent: LinearLayout = root, onClick: () -> Unit): Button =
        Button(this).apply {
            setText(text)
            this.tag = tag
            setOnClickListener { onClick() }
        }.also { parent.addView(it) }

    protected fun check(text: Int, tag: String): CheckBox = CheckBox(this).apply { setText(text); this.tag = tag }.also { root.addView(it) }

    protected fun lines(into: LinearLayout, lines: List<Line>) {
        for (line in lines) into.addView(TextView(this).apply {
            text = say(line.text)
            if (line.warning) setTextColor(0xFFB71C1C.toInt())
        })
    }

    protected fun open(cls: Class<out Activity>) = startActivity(Intent(this, cls))

    /** Runs [block] and turns a core error into the text the status line shows. */
    protected inline fun <T> attempt(status: TextView, block: () -> T): T? = try {
        block()
    } catch (e: VigilException) {
        status.text = say(Errors.text(e))
        null
    }
}

/** A screen that needs the vault unlocked: locked (by hand, background or idle) means the
 *  unlock screen, which comes back here after. */
abstract class SessionActivity : VigilActivity() {
    protected lateinit var session: Session

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val s = app.openSession()
        if (s == null) {
            startActivity(Intent(this, UnlockActivity::class.java).putExtra(UnlockActivity.EXTRA_NEXT, intent))
            finish()
            return
        }
        session = s
        build()
    }

    override fun onResume() {
        super.onResume()
        if (::session.isInitialized && app.openSession() == null) {
            startActivity(Intent(this, UnlockActivity::class.java))
            finish()
            return
        }
        refreshWarnings()
    }

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        super.onRequestPermissionsResult(requestCode, permissions, grantResults)
        refreshWarnings()
    }

    protected abstract fun build()

    private var warnings: LinearLayout? = null
    private var alarmChannelWarning = false

    /**
     * A red line with an "Allow" button while notifications are off or SEND_SMS/CALL_PHONE
     * are not granted ([Permissions]): alarms would otherwise fail without a word. With
     * [alarmChannel], also a line when the buddy's alarm channel is off or silent (only
     * the system settings can turn it back on). Kept up to date on resume.
     */
    protected fun permissionWarnings(alarmChannel: Boolean = false) {
        alarmChannelWarning = alarmChannel
        warnings = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL; tag = "warnings" }.also { root.addView(it) }
        refreshWarnings()
    }

    private fun refreshWarnings() {
        val box = warnings ?: return
        box.removeAllViews()
        if (Permissions.needsWarning(this)) {
            box.addView(TextView(this).apply { setText(R.string.permissions_missing); tag = "permissions-warning"; setTextColor(0xFFB71C1C.toInt()) })
            button(R.string.permissions_allow, "permissions-allow", box) {
                Permissions.request(this)
                // Notifications turned off by hand (or before Android 13): only the settings
                // can turn them back on.
                if (Permissions.notificationsOff(this) && Permissions.missing(this).isEmpty()) {
                    runCatching {
                        startActivity(Intent(android.provider.Settings.ACTION_APP_NOTIFICATION_SETTINGS).putExtra(android.provider.Settings.EXTRA_APP_PACKAGE, packageName))
                    }
                }
            }
        }
        if (alarmChannelWarning && Permissions.alarmChannelMuted(this)) {
            box.addView(TextView(this).apply { setText(R.string.watch_alarm_channel_off); tag = "alarm-channel-warning"; setTextColor(0xFFB71C1C.toInt()) })
            button(R.string.permissions_settings, "alarm-channel-settings", box) {
                runCatching {
                    startActivity(
                        Intent(android.provider.Settings.ACTION_CHANNEL_NOTIFICATION_SETTINGS)
                            .putExtra(android.provider.Settings.EXTRA_APP_PACKAGE, packageName)
                            .putExtra(android.provider.Settings.EXTRA_CHANNEL_ID, Notifier.CHANNEL_WATCH_ALARM),
                    )
                }
            }
        }
    }
}

/** Every view's text in order: what the duress tests compare. */
fun View.texts(): List<String> {
    val out = mutableListOf<String>()
    fun walk(v: View) {
        if (v is TextView) out += "${v.javaClass.simpleName}:${v.text}:${(v as? EditText)?.error ?: ""}"
        if (v is android.view.ViewGroup) for (i in 0 until v.childCount) walk(v.getChildAt(i))
    }
    walk(this)
    return out
}
