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
     * After the core wiped the vault (or found none): the core's wipe once more (idempotent;
     * it shreds what an interrupted creation or wipe left), the device secret (Keystore key
     * first), the escalation alarm, every notification, then every file left in both
     * storage areas. Each step runs even if an earlier one failed. Returns false when a
     * file could not be deleted (the caller has already lost the vault either way).
     */
    fun erase(app: VigilApp): Boolean {
        runCatching { app.vault.wipe() }
        app.forgetSession()
        runCatching { app.secrets.delete() }
        runCatching { Escalator.cancelAlarm(app) }
        runCatching { app.getSystemService(NotificationManager::class.java).cancelAll() }
        var ok = true
        for (context in areas(app)) {
            // Through the framework first, so its in-memory copy of each file is dropped
            // too (else a later write from that copy would bring the file back).
            val prefs = File(context.dataDir, "shared_prefs").listFiles().orEmpty()
            for (file in prefs) {
                if (file.name.endsWith(".xml")) runCatching { context.deleteSharedPreferences(file.name.removeSuffix(".xml")) }
            }
            for (folder in FOLDERS) ok = deleteContents(File(context.dataDir, folder)) && ok
        }
        return ok
    }

    /** True when no vault is here but something the shell stored is: a wipe's clean-up
     *  that did not run. Looks at files only (no core call, no Keystore) unless the vault
     *  file is gone, so an ordinary start costs one `stat`. */
    fun leftWithoutVault(app: VigilApp): Boolean {
        if (app.vaultFile.exists()) return false
        if (runCatching { app.secrets.keyExists() }.getOrDefault(false)) return true
        return areas(app).any { context -> FOLDERS.any { File(context.dataDir, it).listFiles().orEmpty().isNotEmpty() } }
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
