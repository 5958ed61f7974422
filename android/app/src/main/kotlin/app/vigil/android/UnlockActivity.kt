package app.vigil.android

import android.content.Intent
import android.os.Build
import android.os.Bundle
import android.widget.EditText
import android.widget.TextView
import app.vigil.android.logic.Errors
import app.vigil.android.logic.Msg
import app.vigil.android.logic.UiText
import app.vigil.core.VigilException

/**
 * The passphrase screen. Create on first run; afterwards every passphrase (the real one and
 * the duress one) goes through the same `Vault.unlock` and the same code path here: what
 * opens is the core's business, and this screen cannot tell the two apart.
 */
class UnlockActivity : VigilActivity() {
    private lateinit var passphrase: EditText
    private lateinit var status: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        build(creating = !app.vault.exists())
        // A panic wipe whose clean-up could not delete everything: said here, where it lands.
        if (intent.getBooleanExtra(EXTRA_TRACES_LEFT, false)) status.text = getString(R.string.wipe_traces_left)
    }

    private fun build(creating: Boolean) {
        root.removeAllViews()
        label(getString(if (creating) R.string.unlock_create_title else R.string.unlock_title), "title")
        passphrase = field(R.string.unlock_title, "passphrase", password = true)
        button(if (creating) R.string.create_button else R.string.unlock_button, "unlock") { submit(creating) }
        status = label("", "status")
    }

    private fun submit(creating: Boolean) {
        val typed = passphrase.text.toString()
        if (typed.isEmpty()) {
            status.text = say(UiText.Res(Msg.PASSPHRASE_EMPTY))
            return
        }
        val secret = app.secrets.getOrCreate()
        val session = try {
            if (creating) app.vault.create(typed, secret, app.kdfIterations()) else app.vault.unlock(typed, secret, app.now())
        } catch (e: VigilException) {
            var clean = true
            if (e is VigilException.Wiped) {
                // The unlock limit: the core wiped the vault. Everything the shell kept
                // outside it goes too, and the screen becomes the create screen.
                clean = app.wiped()
                build(creating = true)
            }
            status.text = say(Errors.text(e))
            if (!clean) status.append("\n" + getString(R.string.wipe_traces_left))
            null
        }
        passphrase.text.clear()
        if (session == null) return
        app.setSession(session)
        // A duress unlock may have queued a silent alert: send it now, like any other tick.
        Escalator.run(this)
        val next = if (Build.VERSION.SDK_INT >= 33) intent.getParcelableExtra(EXTRA_NEXT, Intent::class.java)
        else @Suppress("DEPRECATION") intent.getParcelableExtra(EXTRA_NEXT)
        startActivity(next ?: Intent(this, HomeActivity::class.java))
        finish()
    }

    companion object {
        const val EXTRA_NEXT = "next"

        /** Set by the panic wipe when its clean-up left something (the Keystore key or a
         *  file could not be deleted). */
        const val EXTRA_TRACES_LEFT = "traces-left"
    }
}

class HomeActivity : SessionActivity() {
    override fun build() {
        button(R.string.home_bookings, "bookings") { open(BookingsActivity::class.java) }
        button(R.string.home_checkin, "checkin") { open(CheckinActivity::class.java) }
        button(R.string.home_watch, "watch") { open(WatchActivity::class.java) }
        button(R.string.home_history, "history") { open(HistoryActivity::class.java) }
        button(R.string.home_screening, "screening") { open(ScreeningActivity::class.java) }
        button(R.string.home_services, "services") { open(ServicesActivity::class.java) }
        button(R.string.home_settings, "settings") { open(SettingsActivity::class.java) }
        button(R.string.home_lock, "lock") {
            app.lock()
            open(UnlockActivity::class.java)
            finish()
        }
    }
}
