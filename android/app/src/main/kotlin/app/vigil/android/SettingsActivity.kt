package app.vigil.android

import android.content.ComponentName
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Handler
import android.os.Looper
import android.widget.LinearLayout
import android.widget.TextView
import app.vigil.android.logic.Msg
import app.vigil.android.logic.UiText
import app.vigil.android.logic.WipeView
import app.vigil.core.BuddyInput
import app.vigil.core.PendingWipe
import app.vigil.core.types.Channel
import app.vigil.core.types.WipeState
import java.io.File

/** Buddies, codes, duress passphrase, unlock limit, camouflage, export and the panic wipe. */
class SettingsActivity : SessionActivity() {
    private lateinit var status: TextView
    private lateinit var buddies: LinearLayout
    private var pendingWipe: PendingWipe? = null
    private val handler = Handler(Looper.getMainLooper())

    override fun build() {
        status = label("", "status")

        label(getString(R.string.settings_buddies))
        val buddyName = field(R.string.field_name, "buddy-name")
        val buddyPhone = field(R.string.field_phone, "buddy-phone")
        button(R.string.add, "buddy-add") {
            val lang = runCatching { session.settings().workerLanguages.first() }.getOrDefault("en")
            attempt(status) { session.addBuddy(BuddyInput(buddyName.text.toString(), buddyPhone.text.toString(), Channel.SMS, lang)) } ?: return@button
            buddyName.text.clear(); buddyPhone.text.clear()
            refreshBuddies()
        }
        buddies = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }.also { root.addView(it) }
        refreshBuddies()

        label(getString(R.string.settings_codes))
        val code = field(R.string.field_code, "code", password = true)
        val duressCode = field(R.string.field_duress_code, "duress-code", password = true)
        button(R.string.save, "codes-save") {
            attempt(status) { session.setCheckinCodes(code.text.toString(), duressCode.text.toString()) } ?: return@button
            code.text.clear(); duressCode.text.clear()
            status.text = say(UiText.Res(Msg.SAVED))
        }

        label(getString(R.string.settings_duress))
        val current = field(R.string.unlock_title, "duress-current", password = true)
        val duress = field(R.string.settings_duress, "duress-passphrase", password = true)
        button(R.string.save, "duress-save") {
            attempt(status) { session.setDuress(current.text.toString(), duress.text.toString(), false, true, emptyList(), app.now()) } ?: return@button
            current.text.clear(); duress.text.clear()
            status.text = say(UiText.Res(Msg.SAVED))
        }

        label(getString(R.string.settings_unlock_limit))
        val limit = field(R.string.settings_unlock_limit, "unlock-limit", number = true)
        button(R.string.save, "limit-save") {
            val typed = limit.text.toString().trim()
            val attempts = if (typed.isEmpty()) null else typed.toUIntOrNull()
            if (typed.isNotEmpty() && attempts == null) {
                limit.error = say(UiText.Res(Msg.BAD_MINUTES))
                return@button
            }
            attempt(status) { session.setUnlockLimit(attempts) } ?: return@button
            status.text = say(UiText.Res(Msg.SAVED))
        }

        val camouflage = check(R.string.settings_camouflage, "camouflage")
        camouflage.isChecked = isCamouflaged()
        camouflage.setOnCheckedChangeListener { _, on -> setCamouflage(on) }

        label(getString(R.string.settings_export))
        val backupPassphrase = field(R.string.settings_backup_passphrase, "backup-passphrase", password = true)
        button(R.string.settings_export, "export") {
            exportPassphrase = backupPassphrase.text.toString()
            backupPassphrase.text.clear()
            app.systemPickerOpen = true
            startActivityForResult(
                Intent(Intent.ACTION_CREATE_DOCUMENT).addCategory(Intent.CATEGORY_OPENABLE)
                    .setType("application/octet-stream").putExtra(Intent.EXTRA_TITLE, "vigil-backup.vigil"),
                REQUEST_EXPORT,
            )
        }

        button(R.string.panic_wipe, "wipe") { startWipe() }
        button(R.string.cancel, "wipe-cancel") { cancelWipe() }
    }

    private var exportPassphrase: String? = null

    private fun refreshBuddies() {
        buddies.removeAllViews()
        val listing = attempt(status) { session.listBuddies() } ?: return
        for (b in listing.buddies) buddies.addView(TextView(this).apply { text = "${b.name} · ${b.phone}" })
    }

    /** The export goes to a private file first (the core writes, syncs and renames it), then
     *  is copied to the document she picked, then the private copy is deleted. */
    @Deprecated("framework callback")
    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        @Suppress("DEPRECATION")
        super.onActivityResult(requestCode, resultCode, data)
        app.systemPickerOpen = false
        val passphrase = exportPassphrase.also { exportPassphrase = null }
        val uri = data?.data
        if (requestCode != REQUEST_EXPORT || resultCode != RESULT_OK || uri == null || passphrase == null) return
        val tmp = File(noBackupFilesDir, "export.vigil")
        try {
            val summary = attempt(status) { session.exportToFile(tmp.path, passphrase, app.now()) } ?: return
            contentResolver.openOutputStream(uri, "wt")?.use { out -> tmp.inputStream().use { it.copyTo(out) } }
            status.text = say(UiText.Res(Msg.EXPORTED, listOf(summary.sections.size))) +
                if (summary.unreadableCount == 0UL) "" else "\n" + say(UiText.Res(Msg.EXPORT_UNREADABLE, listOf(summary.unreadableCount.toLong())))
        } finally {
            tmp.delete()
        }
    }

    private fun aliases() = ComponentName(this, "$packageName.LauncherVigil") to ComponentName(this, "$packageName.LauncherNotes")

    private fun isCamouflaged(): Boolean =
        packageManager.getComponentEnabledSetting(aliases().second) == PackageManager.COMPONENT_ENABLED_STATE_ENABLED

    /** Exactly one launcher alias is enabled: Vigil's, or the neutral "Notes". */
    fun setCamouflage(on: Boolean) {
        val (vigil, notes) = aliases()
        val enabled = PackageManager.COMPONENT_ENABLED_STATE_ENABLED
        val disabled = PackageManager.COMPONENT_ENABLED_STATE_DISABLED
        packageManager.setComponentEnabledSetting(notes, if (on) enabled else disabled, PackageManager.DONT_KILL_APP)
        packageManager.setComponentEnabledSetting(vigil, if (on) disabled else enabled, PackageManager.DONT_KILL_APP)
    }

    private fun startWipe() {
        if (pendingWipe != null) return
        val wipe = attempt(status) { app.vault.wipeAfter(app.now(), WipeView.WINDOW_SECONDS) } ?: return
        pendingWipe = wipe
        pollWipe()
    }

    private fun pollWipe() {
        val wipe = pendingWipe ?: return
        val now = app.now()
        when (runCatching { wipe.poll(now) }.getOrDefault(WipeState.PENDING)) {
            WipeState.PENDING -> {
                status.text = say(UiText.Res(Msg.PANIC_WIPE_PENDING, listOf(WipeView.secondsLeft(wipe.dueAt(), now).toInt())))
                handler.postDelayed({ pollWipe() }, 1000)
            }
            WipeState.CANCELLED -> pendingWipe = null
            WipeState.DONE -> wiped()
        }
    }

    /** The vault's files are gone; the Keystore key, the wrapped secret and every trace
     *  the shell kept outside the vault go next ([Traces.erase]). */
    private fun wiped() {
        pendingWipe = null
        val clean = app.wiped()
        startActivity(
            Intent(this, UnlockActivity::class.java)
                .putExtra(UnlockActivity.EXTRA_TRACES_LEFT, !clean)
                .addFlags(Intent.FLAG_ACTIVITY_CLEAR_TASK or Intent.FLAG_ACTIVITY_NEW_TASK),
        )
        finish()
    }

    private fun cancelWipe() {
        val wipe = pendingWipe ?: return
        handler.removeCallbacksAndMessages(null)
        when (wipe.cancel()) {
            WipeState.DONE -> wiped()
            else -> {
                pendingWipe = null
                status.text = say(UiText.Res(Msg.PANIC_WIPE_CANCELLED))
            }
        }
    }

    companion object {
        const val REQUEST_EXPORT = 1
    }
}
