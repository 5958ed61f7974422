package app.vigil.android

import android.telecom.Call
import android.telecom.CallScreeningService
import android.widget.LinearLayout
import app.vigil.android.logic.CallLabels
import app.vigil.android.logic.ScreeningView
import app.vigil.core.types.Risk

/** Type or paste a number (or e-mail, handle): what her notes and the alerts say. */
class ScreeningActivity : SessionActivity() {
    override fun build() {
        val input = field(R.string.screen_hint, "input")
        val status = label("", "status")
        val results = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
        button(R.string.screen_button, "screen") {
            results.removeAllViews()
            status.text = ""
            val result = attempt(status) { session.screen(input.text.toString(), app.now()) } ?: return@button
            lines(results, ScreeningView.lines(result))
        }
        root.addView(results)
    }
}

/**
 * Labels incoming calls from the core's call-label list: unlocked, the core screens the
 * number itself; locked, the in-memory label list (filled at unlock, never on disk) is
 * matched by E.164 digits. Nothing leaves the phone and nothing is written to the call log.
 * Blocked and dangerous callers are silenced, never rejected: she may still want to pick up.
 */
class ScreeningService : CallScreeningService() {
    override fun onScreenCall(details: Call.Details) {
        val app = VigilApp.of(this)
        val handle = details.handle?.schemeSpecificPart ?: ""
        var label: String? = null
        var risk: Risk? = null
        val session = app.openSession()
        if (session != null && handle.isNotEmpty()) {
            runCatching { session.screen(handle, app.now()) }.getOrNull()?.let { r ->
                if (r.matches.isNotEmpty()) {
                    risk = r.overall
                    label = r.matches.first().let { m -> (m.source as? app.vigil.core.MatchSource.Note)?.label ?: m.matched }
                }
            }
        } else {
            CallLabels.find(app.callLabels, handle)?.let {
                label = it.label
                risk = it.risk
            }
        }
        val response = CallResponse.Builder()
        if (risk != null && risk!! >= Risk.DANGER) response.setSilenceCall(true)
        respondToCall(details, response.build())
        label?.let { Notifier.incomingCall(this, it) }
    }
}
