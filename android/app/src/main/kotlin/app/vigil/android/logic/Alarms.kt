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
}

object AlarmPlanner {
    fun choose(nextWakeup: Instant?, now: Instant, exactAllowed: Boolean): AlarmChoice {
        if (nextWakeup == null) return AlarmChoice.None
        val at = maxOf(nextWakeup, now).toEpochMilli()
        return if (exactAllowed) AlarmChoice.Exact(at) else AlarmChoice.Inexact(at)
    }

    /** Exact alarms need a permission from API 31 (S); before that they are always allowed. */
    fun exactAllowed(sdk: Int, canScheduleExact: Boolean): Boolean = sdk < 31 || canScheduleExact
}
