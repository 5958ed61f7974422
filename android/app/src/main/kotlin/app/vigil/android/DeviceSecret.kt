package app.vigil.android

import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import java.io.File
import java.security.KeyStore
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Where the wrapping key lives. The app uses [AndroidKeystoreKeys]; Robolectric has no
 * AndroidKeyStore provider, so the tests use an in-memory double with the same contract
 * (the wrap/unwrap around it is the real code, run with the JVM's AES-GCM).
 */
interface WrappingKeys {
    /** The AES-256-GCM key under [alias], created on first use. */
    fun getOrCreate(alias: String): SecretKey

    fun exists(alias: String): Boolean

    /** Deleting the key is what makes a wipe final on flash storage: the wrapped secret
     *  (and with it the escalation state sealed by it) can no longer be opened. */
    fun delete(alias: String)
}

/** Non-exportable AES-GCM key in the Android Keystore; StrongBox when the phone has one.
 *  Not bound to user authentication or to an unlocked device, so the alarm receiver can
 *  open the device secret before the first unlock after a reboot (direct boot). */
class AndroidKeystoreKeys : WrappingKeys {
    private val store: KeyStore by lazy { KeyStore.getInstance("AndroidKeyStore").apply { load(null) } }

    override fun getOrCreate(alias: String): SecretKey {
        (store.getKey(alias, null) as? SecretKey)?.let { return it }
        return try {
            generate(alias, strongBox = Build.VERSION.SDK_INT >= 28)
        } catch (e: StrongBoxUnavailableException) {
            generate(alias, strongBox = false)
        }
    }

    private fun generate(alias: String, strongBox: Boolean): SecretKey {
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .apply { if (strongBox && Build.VERSION.SDK_INT >= 28) setIsStrongBoxBacked(true) }
            .build()
        return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore").run {
            init(spec)
            generateKey()
        }
    }

    override fun exists(alias: String): Boolean = store.containsAlias(alias)

    override fun delete(alias: String) {
        if (store.containsAlias(alias)) store.deleteEntry(alias)
    }
}

/**
 * The 32-byte device secret the vault is bound to: generated once, stored only wrapped
 * (AES-GCM under the Keystore key) in [file], in device-protected storage.
 */
class DeviceSecretStore(private val keys: WrappingKeys, private val file: File) {
    fun exists(): Boolean = file.exists()

    fun getOrCreate(): ByteArray {
        if (file.exists()) return unwrap(file.readBytes())
        val secret = ByteArray(SECRET_BYTES).also { SecureRandom().nextBytes(it) }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, keys.getOrCreate(ALIAS))
        val wrapped = cipher.iv + cipher.doFinal(secret)
        val tmp = File(file.path + ".partial")
        tmp.writeBytes(wrapped)
        check(tmp.renameTo(file)) { "could not store the device secret" }
        return secret
    }

    private fun unwrap(wrapped: ByteArray): ByteArray {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, keys.getOrCreate(ALIAS), GCMParameterSpec(128, wrapped, 0, IV_BYTES))
        return cipher.doFinal(wrapped, IV_BYTES, wrapped.size - IV_BYTES)
    }

    /** Key first, then the file: once the key is gone nothing can open the secret. */
    fun delete() {
        keys.delete(ALIAS)
        file.delete()
    }

    fun keyExists(): Boolean = keys.exists(ALIAS)

    companion object {
        const val ALIAS = "vigil.device-secret"
        const val SECRET_BYTES = 32
        private const val IV_BYTES = 12
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
    }
}
