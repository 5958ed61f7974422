package app.vigil.android

import android.app.NotificationManager
import android.content.Context
import android.os.UserManager
import java.io.File

/**
 * What the shell keeps outside the core's vault files, and its removal once the vault is
 * wiped (docs/threat-model.md, "What the phone apps leave behind after a wipe"). One
 * function, [erase], called from every wipe path: the panic wipe, the automatic wipe after
 * the unlock limit (the core wipes while unlocking and says `Wiped`), and a start finding
 * the vault gone while traces remain (a wipe whose clean-up did not run: the process was
 * killed between the core's wipe and this, or the vault was deleted from outside).
 *
 * Files are deleted, not cleared: a preferences file emptied by `edit().clear()` stays in
 * `shared_prefs` with its name and date, which says the app was used and when.
 */
object Traces {
    /** The folders of an app's data directory that the shell (or the framework on its
     *  behalf) writes: every file in them is the app's and goes after a wipe. `code_cache`
     *  and `lib` are the runtime's, not ours. */
    private val FOLDERS = listOf("shared_prefs", "files", "no_backup", "cache", "databases")

    /**
     * After the core wiped the vault (or found none): a "wipe pending" marker, the core's
     * wipe once more (idempotent; it shreds what an interrupted creation or wipe left), the
     * session locked, the escalation alarm, every notification and the PendingIntents they
     * carry, the alarm screen, the device secret (Keystore key first), every file left in
     * both storage areas, and the marker last. What nothing on disk would show once the key
     * and the files are gone (notifications, the alarm) goes before them, and the marker
     * covers the rest: a process killed at any step leaves something the start check sees.
     * Each step runs even if an earlier one failed. Returns false when the device secret
     * or a file could not be deleted (the caller has already lost the vault either way).
     */
    fun erase(app: VigilApp): Boolean {
        val marker = marker(app)
        runCatching { marker.createNewFile() }
        runCatching { app.vault.wipe() }
        app.forgetSession()
        runCatching { Escalator.cancelAlarm(app) }
        runCatching { cancelNotifications(app) }
        AlarmActivity.closeAll()
        var ok = runCatching { app.secrets.delete() }.isSuccess
        ok = ok && !app.secrets.exists() && !runCatching { app.secrets.keyExists() }.getOrDefault(true)
        for (context in areas(app)) {
            // Through the framework first, so its in-memory copy of each file is dropped
            // too (else a later write from that copy would bring the file back).
            val prefs = File(context.dataDir, "shared_prefs").listFiles().orEmpty()
            for (file in prefs) {
                if (file.name.endsWith(".xml")) runCatching { context.deleteSharedPreferences(file.name.removeSuffix(".xml")) }
            }
            for (folder in FOLDERS) ok = deleteContents(File(context.dataDir, folder)) && ok
        }
        ok = (marker.delete() || !marker.exists()) && ok
        return ok
    }

    /**
     * At start: finishes a wipe whose clean-up did not run ([leftWithoutVault]). The core's
     * wipe runs first and alone: if it fails and the core can no longer say the vault file
     * is gone (it came back, or became unreadable, since the check), nothing is touched and
     * the key is kept (without it a vault still there could never be opened again); the
     * next start asks again. True when it erased.
     */
    fun finishInterruptedWipe(app: VigilApp): Boolean {
        if (!leftWithoutVault(app)) return false
        if (runCatching { app.vault.wipe() }.isFailure && runCatching { app.vault.exists() }.getOrNull() != false) return false
        app.wiped()
        return true
    }

    /**
     * True when no vault is here but something the shell stored is: a wipe's clean-up that
     * did not run or did not finish (the marker). An ordinary start costs one `stat`. "No
     * vault" is the core's answer, not `File.exists()`: that is false on any error (no
     * permission, an I/O error, a wrong SELinux label), and a vault there but unreadable
     * for a moment must not lose its key.
     */
    fun leftWithoutVault(app: VigilApp): Boolean {
        if (app.vaultFile.exists()) return false
        if (runCatching { app.vault.exists() }.getOrNull() != false) return false
        if (marker(app).exists()) return true
        if (runCatching { app.secrets.keyExists() }.getOrDefault(false)) return true
        return areas(app).any { context -> FOLDERS.any { File(context.dataDir, it).listFiles().orEmpty().isNotEmpty() } }
    }

    /** Written before a clean-up starts and deleted as its very last step. In the data
     *  directory itself, outside the folders the clean-up empties. */
    internal fun marker(app: VigilApp): File = File(app.storage.dataDir, "wipe-pending")

    /** Every notification goes, and the PendingIntents it carries with it: `cancelAll` alone
     *  leaves them registered in the system (the alarm screen's holds the alarm text, the
     *  share action the message) until the phone restarts. */
    private fun cancelNotifications(app: VigilApp) {
        val manager = app.getSystemService(NotificationManager::class.java)
        for (shown in runCatching { manager.activeNotifications }.getOrNull().orEmpty()) {
            val n = shown.notification ?: continue
            val intents = listOf(n.contentIntent, n.fullScreenIntent, n.deleteIntent) + n.actions.orEmpty().map { it.actionIntent }
            for (intent in intents) runCatching { intent?.cancel() }
        }
        manager.cancelAll()
    }

    /** Every file the shell wrote, in both storage areas (for the tests and the check
     *  above). */
    fun files(app: VigilApp): List<File> = areas(app).flatMap { context ->
        FOLDERS.flatMap { File(context.dataDir, it).walkTopDown().filter(File::isFile).toList() }
    }

    /** Device-protected storage (the vault, the secret, the preferences) always; the
     *  credential-protected one (the export's temporary file) only once the phone has been
     *  unlocked since boot: before that it cannot be read, and nothing was written there. */
    private fun areas(app: VigilApp): List<Context> {
        val unlocked = runCatching { app.getSystemService(UserManager::class.java).isUserUnlocked }.getOrDefault(false)
        return if (unlocked && app.storage.dataDir != app.dataDir) listOf(app.storage, app) else listOf(app.storage)
    }

    private fun deleteContents(dir: File): Boolean {
        val children = dir.listFiles() ?: return true
        var ok = true
        for (child in children) ok = child.deleteRecursively() && ok
        return ok
    }
}
