package app.vigil.android

import android.Manifest
import android.app.Activity
import android.app.NotificationManager
import android.content.Context
import android.content.pm.PackageManager
import android.os.Build

/**
 * What the alarms need and the system may withhold: notifications (off by default on
 * Android 13+ until she allows them: without them a buddy's alarm never shows) and SEND_SMS
 * and CALL_PHONE (without them her own alerts to her buddies cannot go). Declaring them in
 * the manifest is not enough; they must be asked for at run time.
 */
object Permissions {
    const val REQUEST = 41

    fun notificationsOff(context: Context): Boolean =
        !context.getSystemService(NotificationManager::class.java).areNotificationsEnabled()

    /** The run-time permissions still to ask for (POST_NOTIFICATIONS only from API 33). */
    fun missing(context: Context, notifications: Boolean = true, alerts: Boolean = true): List<String> {
        val wanted = mutableListOf<String>()
        if (notifications && Build.VERSION.SDK_INT >= 33) wanted += Manifest.permission.POST_NOTIFICATIONS
        if (alerts) wanted += listOf(Manifest.permission.SEND_SMS, Manifest.permission.CALL_PHONE)
        return wanted.filter { context.checkSelfPermission(it) != PackageManager.PERMISSION_GRANTED }
    }

    /** True when a warning is due: notifications off, or a permission missing. */
    fun needsWarning(context: Context): Boolean = notificationsOff(context) || missing(context).isNotEmpty()

    /** Asks for what is missing of the given kinds; nothing when all are granted. */
    fun request(activity: Activity, notifications: Boolean = true, alerts: Boolean = true) {
        val wanted = missing(activity, notifications, alerts)
        if (wanted.isNotEmpty()) activity.requestPermissions(wanted.toTypedArray(), REQUEST)
    }

    /** The alarm channel turned off or made silent in the system settings: a buddy's alarm
     *  would then not ring (off: not show at all). */
    fun alarmChannelMuted(context: Context): Boolean {
        val nm = context.getSystemService(NotificationManager::class.java)
        Notifier.channels(context)
        val channel = nm.getNotificationChannel(Notifier.CHANNEL_WATCH_ALARM) ?: return true
        return channel.importance < NotificationManager.IMPORTANCE_DEFAULT || channel.sound == null
    }
}
