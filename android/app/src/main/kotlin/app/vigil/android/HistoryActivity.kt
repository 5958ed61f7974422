package app.vigil.android

import android.widget.TextView
import app.vigil.android.logic.HistoryView
import java.time.ZoneId

/** Ended check-ins, latest first (`checkinHistory`; empty in a decoy session). */
class HistoryActivity : SessionActivity() {
    override fun build() {
        val status: TextView = label("", "status")
        val history = attempt(status) { session.checkinHistory() } ?: return
        lines(root, HistoryView.lines(history, ZoneId.systemDefault()))
    }
}
