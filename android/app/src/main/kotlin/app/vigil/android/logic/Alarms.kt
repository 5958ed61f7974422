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

    /** `setAlarmClock`: the system leaves Doze shortly before it, whatever fired before.
     *  Android 8–11 fire an app's while-idle alarms at most about once per 9 minutes
     *  while the phone dozes (AlarmManager's documentation: "such as 15 minutes"), so an escalation step due sooner after the
     *  last one (the next buddy, a retry, the alarm after the reminder) would be late.
     *  Used only then: until it fires it shows the alarm icon, and on many lock screens
     *  the time of the next alarm (not the app or why). */
    data class Clock(val atMillis: Long) : AlarmChoice()
}

object AlarmPlanner {
    /** How far ahead a wake-up may be throttled in Doze on Android 8–11: about 9 minutes
     *  after the app's last while-idle alarm, up to 15 as the documentation warns. */
    const val DOZE_THROTTLE_MILLIS: Long = 15 * 60_000L

    /** `dozing`: the phone is in Doze now (`PowerManager.isDeviceIdleMode`). */
    fun choose(
        nextWakeup: Instant?,
        now: Instant,
        exactAllowed: Boolean,
        sdk: Int = 31,
        dozing: Boolean = false,
    ): AlarmChoice {
        if (nextWakeup == null) return AlarmChoice.None
        val at = maxOf(nextWakeup, now).toEpochMilli()
        if (!exactAllowed) return AlarmChoice.Inexact(at)
        if (sdk < 31 && dozing && at - now.toEpochMilli() < DOZE_THROTTLE_MILLIS) return AlarmChoice.Clock(at)
        return AlarmChoice.Exact(at)
    }

    /** Exact alarms need a permission from API 31 (S); before that they are always allowed. */
    fun exactAllowed(sdk: Int, canScheduleExact: Boolean): Boolean = sdk < 31 || canScheduleExact
}
