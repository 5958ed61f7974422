package app.vigil.android

import android.app.AlarmManager
import android.content.Context
import app.vigil.core.BookingInput
import app.vigil.core.Buddy
import app.vigil.core.BuddyInput
import app.vigil.core.CheckinInput
import app.vigil.core.Session
import app.vigil.core.types.BookingKind
import app.vigil.core.types.BookingStatus
import app.vigil.core.types.Channel
import java.time.Duration
import java.time.Instant
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowAlarmManager

/**
 * Robolectric has no AndroidKeyStore provider: this double keeps AES-256 keys in memory
 * with the same contract (create on first use, exists, delete). The wrap/unwrap around it
 * is the app's real code.
 */
class MemoryKeys : WrappingKeys {
    val keys = mutableMapOf<String, SecretKey>()
    /** Set: the Keystore cannot be read for now (as just after boot, now and then). */
    var failGet = false
    override fun getOrCreate(alias: String): SecretKey {
        if (failGet) throw java.security.KeyStoreException("unavailable")
        return keys.getOrPut(alias) { KeyGenerator.getInstance("AES").apply { init(256) }.generateKey() }
    }
    override fun exists(alias: String) = alias in keys
    /** Set: deleting a key fails, as a Keystore may. */
    var failDelete = false
    override fun delete(alias: String) {
        if (failDelete) throw java.security.KeyStoreException("refused")
        keys.remove(alias)
    }
}

/** The app with a movable clock, the in-memory key double and the lowest KDF cost. */
class TestApp : VigilApp() {
    val keys = MemoryKeys()
    var clock: Instant = T0
    override fun wrappingKeys(): WrappingKeys = keys
    override fun kdfIterations(): UInt = 100_000u
    override fun now(): Instant = clock

    /** Full-screen intents allowed (Android 14's setting); Robolectric has no service for it. */
    var fullScreenAllowed = true
    override fun canUseFullScreenIntent(): Boolean = fullScreenAllowed

    /** The Android version the alarm choice follows (the framework under test stays 34). */
    var sdk = 34
    override fun sdkInt(): Int = sdk

    fun minutes(m: Long) { clock = clock.plus(Duration.ofMinutes(m)) }

    companion object {
        val T0: Instant = Instant.parse("2026-11-28T20:00:00Z")
    }
}

const val PASSPHRASE = "correct horse battery"
const val DURESS = "duress horse battery"

/** A vault with a buddy, codes and a booking at a known address, as a worker sets it up. */
class Setup(val app: TestApp) {
    val session: Session = app.vault.create(PASSPHRASE, app.secrets.getOrCreate(), app.kdfIterations())
    val buddy: Buddy
    val bookingId: String

    init {
        app.setSession(session)
        buddy = session.addBuddy(BuddyInput("Ana", "07400 123456", Channel.SMS, "en"))
        session.setCheckinCodes("4321", "9876")
        bookingId = session.addBooking(
            BookingInput(
                clientLabel = "New client", clientPhone = "07700 900123", clientEmail = null, clientHandle = null,
                startsAt = app.now(), endsAt = app.now().plusSeconds(3600), kind = BookingKind.OUTCALL,
                address = "12 Example Street", latitude = null, longitude = null, terms = null, notes = null,
                status = BookingStatus.PLANNED,
            ),
            app.now(),
        ).id
    }

    fun startCheckin(minutes: Long = 60) = session.startCheckin(
        CheckinInput(app.now().plus(Duration.ofMinutes(minutes)), emptyList(), bookingId, null, null, null),
        app.now(),
    )
}

fun Context.alarms(): ShadowAlarmManager = shadowOf(getSystemService(AlarmManager::class.java))
