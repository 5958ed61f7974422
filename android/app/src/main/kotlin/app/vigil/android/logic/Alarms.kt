package app.vigil.android.logic

import java.time.Instant

/**
 * Which alarm to set for the core's `nextWakeup`. One alarm at a time, always at the
 * core's time (never earlier, never a guess): a wake-up already past fires now.
 */
sealed class AlarmChoice {
    /** Nothing armed: cancel any alarm. */
    object None : AlarmChoice()

    /** `setExactAndAllowWhileIdle`: fires on time, also in Doze. */
    data class Exact(val atMillis: Long) : AlarmChoice()

    /** Exact alarms denied (Android 12+ without SCHEDULE_EXACT_ALARM / USE_EXACT_ALARM;
     *  `setAlarmClock` needs the same permission there): `setAndAllowWhileIdle`, which the
     *  system may delay, and she is told so. */
    data class Inexact(val atMillis: Long) : AlarmChoice()

    /** `setAlarmClock`: the system leaves Doze for it (possibly well before it) and never
     *  delays it. Android 8–11 fire an app's while-idle alarms at most about once per 9
     *  minutes while the phone dozes, and on 9–11 also with Battery Saver on (AOSP's
     *  default; some vendors' builds wait longer, hence the 15-minute margin), so an
     *  escalation step due sooner after the last one (the next buddy, a retry, the alarm
     *  after the reminder) would be late. Used only then, and only while a check-in is
     *  visible: until it fires the status bar shows an alarm icon and many lock screens
     *  the time of the next alarm, which must not appear after a duress check-in. */
    data class Clock(val atMillis: Long) : AlarmChoice()
}

object AlarmPlanner {
    /** How far ahead a wake-up may be held back on Android 8–11: about 9 minutes after the
     *  app's last while-idle alarm in AOSP, longer on some vendors' builds. */
    const val DOZE_THROTTLE_MILLIS: Long = 15 * 60_000L

    /** `throttled`: the phone is dozing or in Battery Saver now (`PowerManager`'s
     *  `isDeviceIdleMode` / `isPowerSaveMode`). `discreet`: no check-in is visible (none, or
     *  after a duress check-in): nothing may show, so no alarm clock. */
    fun choose(
        nextWakeup: Instant?,
        now: Instant,
        exactAllowed: Boolean,
        sdk: Int,
        throttled: Boolean,
        discreet: Boolean,
    ): AlarmChoice {
        if (nextWakeup == null) return AlarmChoice.None
        val at = maxOf(nextWakeup, now).toEpochMilli()
        if (!exactAllowed) return AlarmChoice.Inexact(at)
        val held = sdk < 31 && throttled && at - now.toEpochMilli() < DOZE_THROTTLE_MILLIS
        return if (held && !discreet) AlarmChoice.Clock(at) else AlarmChoice.Exact(at)
    }

    /** Exact alarms need a permission from API 31 (S); before that they are always allowed. */
    fun exactAllowed(sdk: Int, canScheduleExact: Boolean): Boolean = sdk < 31 || canScheduleExact
}
