package app.vigil.android

import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.provider.Settings
import app.vigil.android.logic.CheckinView
import app.vigil.core.LockScreenListing

/** Every notification the app posts. Texts come from the core (already in her language) or
 *  from resources; lock-screen copies show nothing personal (VISIBILITY_PRIVATE with a
 *  neutral public version). */
object Notifier {
    const val CHANNEL_ALERTS = "alerts"
    const val CHANNEL_COUNTDOWN = "countdown"
    const val ID_COUNTDOWN = 1
    const val ID_EXACT_ALARM = 2
    const val ID_NOTICE = 3
    const val ID_SHARE = 4
    const val ID_CALL = 5
    const val ID_WATCH = 6

    private fun manager(context: Context): NotificationManager {
        val nm = context.getSystemService(NotificationManager::class.java)
        nm.createNotificationChannel(NotificationChannel(CHANNEL_ALERTS, context.getString(R.string.channel_alerts), NotificationManager.IMPORTANCE_HIGH))
        nm.createNotificationChannel(NotificationChannel(CHANNEL_COUNTDOWN, context.getString(R.string.channel_countdown), NotificationManager.IMPORTANCE_LOW))
        return nm
    }

    private fun builder(context: Context, channel: String) = Notification.Builder(context, channel)
        .setSmallIcon(R.drawable.ic_vigil)
        .setVisibility(Notification.VISIBILITY_PRIVATE)
        .setPublicVersion(
            Notification.Builder(context, channel).setSmallIcon(R.drawable.ic_vigil)
                .setContentTitle(context.getString(R.string.notice_title)).build(),
        )

    private fun openApp(context: Context, requestCode: Int): PendingIntent = PendingIntent.getActivity(
        context, requestCode, Intent(context, UnlockActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK),
        PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
    )

    /** A notice from the core to her; false when notifications are off (reported Failed so
     *  the core knows she was not told). */
    fun notice(context: Context, tag: String, text: String, urgent: Boolean): Boolean {
        val nm = manager(context)
        if (!nm.areNotificationsEnabled()) return false
        val n = builder(context, if (urgent) CHANNEL_ALERTS else CHANNEL_COUNTDOWN)
            .setContentTitle(context.getString(R.string.notice_title))
            .setContentText(text)
            .setStyle(Notification.BigTextStyle().bigText(text))
            .setContentIntent(openApp(context, ID_NOTICE))
            .setAutoCancel(true)
            .build()
        nm.notify(tag, ID_NOTICE, n)
        return true
    }

    /**
     * Watch over me, buddy side: a step for a watch this phone holds (reminder, alarm, call
     * her, call the emergency services, safe after the alarm). High priority, in the alarm
     * category; on the lock screen it says only that someone she watches over missed their
     * deadline (no name, no place, nothing about a duress check-in): the core's text with the
     * details shows once the phone is unlocked. One notification per watch and step, so a
     * next step does not hide the alarm's details. False when notifications are off.
     */
    fun buddyAlarm(context: Context, request: app.vigil.android.logic.ShellRequest.BuddyAlarm): Boolean {
        val nm = manager(context)
        if (!nm.areNotificationsEnabled()) return false
        val overdue = app.vigil.android.logic.WatchMapper.overdue(request.notice)
        val public = context.getString(if (overdue) R.string.watch_alarm_public else R.string.notice_title)
        val open = PendingIntent.getActivity(
            context, request.watchId.hashCode(),
            Intent(context, WatchActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val n = Notification.Builder(context, CHANNEL_ALERTS)
            .setSmallIcon(R.drawable.ic_vigil)
            .setCategory(Notification.CATEGORY_ALARM)
            .setVisibility(Notification.VISIBILITY_PRIVATE)
            .setPublicVersion(
                Notification.Builder(context, CHANNEL_ALERTS).setSmallIcon(R.drawable.ic_vigil)
                    .setCategory(Notification.CATEGORY_ALARM).setContentTitle(public).build(),
            )
            .setContentTitle(public)
            .setContentText(request.text)
            .setStyle(Notification.BigTextStyle().bigText(request.text))
            .setContentIntent(open)
            .setAutoCancel(false)
            .build()
        nm.notify("watch:${request.watchId}:${request.notice.name}", ID_WATCH, n)
        return true
    }

    /** The ongoing countdown: the system draws the chronometer, and its two actions open
     *  the lock-screen code entry ("check in") or the app ("extend", which needs the vault
     *  unlocked). Only what `BackgroundRunner.list()` gives: no names, no place. */
    fun countdown(context: Context, listing: LockScreenListing?) {
        val nm = manager(context)
        val c = listing?.let { CheckinView.countdown(it) }
        if (c == null) {
            nm.cancel(ID_COUNTDOWN)
            return
        }
        val checkIn = PendingIntent.getActivity(
            context, 10, Intent(context, LockScreenCheckinActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val extend = PendingIntent.getActivity(
            context, 11, Intent(context, CheckinActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val n = builder(context, CHANNEL_COUNTDOWN)
            .setContentTitle(context.getString(if (c.escalating) R.string.escalating_title else R.string.countdown_title))
            .setWhen(c.deadline.toEpochMilli())
            .setShowWhen(true)
            .setUsesChronometer(true)
            .setChronometerCountDown(true)
            .setOngoing(true)
            .setVisibility(Notification.VISIBILITY_PUBLIC)
            .addAction(Notification.Action.Builder(null, context.getString(R.string.checkin_ok), checkIn).build())
            .addAction(Notification.Action.Builder(null, context.getString(R.string.checkin_extend), extend).build())
            .build()
        nm.notify(ID_COUNTDOWN, n)
    }

    fun exactAlarmsDenied(context: Context, denied: Boolean) {
        val nm = manager(context)
        if (!denied) {
            nm.cancel(ID_EXACT_ALARM)
            return
        }
        val settings = PendingIntent.getActivity(
            context, 12, Intent(Settings.ACTION_REQUEST_SCHEDULE_EXACT_ALARM).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK),
            PendingIntent.FLAG_IMMUTABLE,
        )
        val text = context.getString(R.string.exact_alarm_denied)
        nm.notify(ID_EXACT_ALARM, builder(context, CHANNEL_ALERTS).setContentTitle(context.getString(R.string.notice_title))
            .setContentText(text).setStyle(Notification.BigTextStyle().bigText(text)).setContentIntent(settings).build())
    }

    /** A message for another app: she taps, picks the app and sends. */
    fun share(context: Context, tag: String, text: String) {
        val send = Intent.createChooser(Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, text), null)
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        val pi = PendingIntent.getActivity(context, tag.hashCode(), send, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT)
        manager(context).notify(tag, ID_SHARE, builder(context, CHANNEL_ALERTS).setContentTitle(context.getString(R.string.notice_title))
            .setContentText(text).setContentIntent(pi).setAutoCancel(true).build())
    }

    /** Screening: what her notes say about an incoming caller (private on the lock screen). */
    fun incomingCall(context: Context, label: String) {
        val text = context.getString(R.string.incoming_call_note, label)
        manager(context).notify(ID_CALL, Notification.Builder(context, CHANNEL_ALERTS).setSmallIcon(R.drawable.ic_vigil)
            .setVisibility(Notification.VISIBILITY_PRIVATE)
            .setPublicVersion(Notification.Builder(context, CHANNEL_ALERTS).setSmallIcon(R.drawable.ic_vigil)
                .setContentTitle(context.getString(R.string.incoming_call_public)).build())
            .setContentTitle(text).setAutoCancel(true).build())
    }
}
