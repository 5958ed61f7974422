package app.vigil.android

import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.media.AudioAttributes
import android.media.RingtoneManager
import android.provider.Settings
import app.vigil.android.logic.CheckinView
import app.vigil.android.logic.ShellRequest
import app.vigil.android.logic.WatchMapper
import app.vigil.core.LockScreenListing
import app.vigil.core.types.WatchNotice

/** Every notification the app posts. Texts come from the core (already in her language) or
 *  from resources. Every channel that can carry personal text (a name, a place, a duress
 *  alarm) is VISIBILITY_PRIVATE, and every notification on it carries a neutral public
 *  version: the lock screen shows that one. The countdown shows only a time and is public. */
object Notifier {
    /** Reminders, safe-after-alarm, shares, screening. A new id: a channel's lock-screen
     *  visibility cannot change once created, and "alerts" was created without it. */
    const val CHANNEL_ALERTS = "alerts-2"

    /** Channels of earlier versions, deleted at start (their settings cannot be changed). */
    private val OLD_CHANNELS = listOf("alerts", "watch-notices")
    const val CHANNEL_COUNTDOWN = "countdown"

    /** Watch over me, buddy side: the alarm steps (alarm sound, vibration, full screen). */
    const val CHANNEL_WATCH_ALARM = "watch-alarm"

    /** Watch over me, quiet: refused messages, an acknowledged alarm's details. */
    const val CHANNEL_WATCH_NOTICES = "watch-notices-2"
    const val ID_COUNTDOWN = 1
    const val ID_EXACT_ALARM = 2
    const val ID_NOTICE = 3
    const val ID_SHARE = 4
    const val ID_CALL = 5
    const val ID_WATCH = 6
    const val ID_REFUSAL = 7
    const val ID_WATCH_DETAILS = 8

    /** Creates the channels (idempotent) and deletes the old ones. */
    fun channels(context: Context): NotificationManager = manager(context)

    private fun manager(context: Context): NotificationManager {
        val nm = context.getSystemService(NotificationManager::class.java)
        for (old in OLD_CHANNELS) if (nm.getNotificationChannel(old) != null) nm.deleteNotificationChannel(old)
        nm.createNotificationChannel(
            NotificationChannel(CHANNEL_ALERTS, context.getString(R.string.channel_alerts), NotificationManager.IMPORTANCE_HIGH).apply {
                lockscreenVisibility = Notification.VISIBILITY_PRIVATE
            },
        )
        nm.createNotificationChannel(NotificationChannel(CHANNEL_COUNTDOWN, context.getString(R.string.channel_countdown), NotificationManager.IMPORTANCE_LOW))
        nm.createNotificationChannel(
            NotificationChannel(CHANNEL_WATCH_ALARM, context.getString(R.string.channel_watch_alarm), NotificationManager.IMPORTANCE_HIGH).apply {
                // The alarm sound on the alarm stream: it plays where an alarm clock would
                // (and Do Not Disturb lets alarms through by default); vibration as well.
                setSound(
                    RingtoneManager.getDefaultUri(RingtoneManager.TYPE_ALARM),
                    AudioAttributes.Builder().setUsage(AudioAttributes.USAGE_ALARM)
                        .setContentType(AudioAttributes.CONTENT_TYPE_SONIFICATION).build(),
                )
                enableVibration(true)
                vibrationPattern = longArrayOf(0, 800, 400, 800, 400, 800)
                lockscreenVisibility = Notification.VISIBILITY_PRIVATE
            },
        )
        // The core's full alarm text (name, place, duress) after "I've got it": private.
        nm.createNotificationChannel(
            NotificationChannel(CHANNEL_WATCH_NOTICES, context.getString(R.string.channel_watch_notices), NotificationManager.IMPORTANCE_LOW).apply {
                lockscreenVisibility = Notification.VISIBILITY_PRIVATE
            },
        )
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

    /** A notice from the core to her; false when notifications or its channel are off
     *  (reported Failed so the core knows she was not told). */
    fun notice(context: Context, tag: String, text: String, urgent: Boolean): Boolean {
        val nm = manager(context)
        if (!nm.areNotificationsEnabled()) return false
        val channel = if (urgent) CHANNEL_ALERTS else CHANNEL_COUNTDOWN
        if (channelOff(nm, channel)) return false
        val n = builder(context, channel)
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
     * her, call the emergency services, safe after the alarm). On the lock screen it says
     * only that someone she watches over missed their deadline (no name, no place, nothing
     * about a duress check-in): the core's text with the details shows once the phone is
     * unlocked. One notification per watch and step, so a next step does not hide the
     * alarm's details. False when notifications are off.
     *
     * The alarm steps ([WatchMapper.isAlarmStep]) go to the alarm channel, insistent (the
     * sound repeats) and ongoing until acknowledged, with a full-screen intent to
     * [AlarmActivity]: over the lock screen it shows the same neutral words. Where the
     * system refuses full-screen intents (Android 14+, [canUseFullScreenIntent]) the same
     * notification still comes as a heads-up, and the watch screen offers the setting.
     * False as well when she turned the step's channel off (importance NONE): the system
     * would drop it silently, and the core must know it was not shown.
     */
    fun buddyAlarm(context: Context, request: ShellRequest.BuddyAlarm): Boolean {
        val nm = manager(context)
        if (!nm.areNotificationsEnabled()) return false
        val overdue = WatchMapper.overdue(request.notice)
        val alarm = WatchMapper.isAlarmStep(request.notice)
        val channel = if (alarm) CHANNEL_WATCH_ALARM else CHANNEL_ALERTS
        if (channelOff(nm, channel)) return false
        if (request.notice == WatchNotice.SAFE_AFTER_ALARM) cancelWatchAlarm(context, request.watchId)
        val public = context.getString(if (overdue) R.string.watch_alarm_public else R.string.notice_title)
        val open = if (alarm) alarmScreen(context, request) else PendingIntent.getActivity(
            context, request.watchId.hashCode(),
            Intent(context, WatchActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val builder = Notification.Builder(context, channel)
            .setSmallIcon(R.drawable.ic_vigil)
            .setCategory(Notification.CATEGORY_ALARM)
            .setVisibility(Notification.VISIBILITY_PRIVATE)
            .setPublicVersion(
                Notification.Builder(context, channel).setSmallIcon(R.drawable.ic_vigil)
                    .setCategory(Notification.CATEGORY_ALARM).setContentTitle(public).build(),
            )
            .setContentTitle(public)
            .setContentText(request.text)
            .setStyle(Notification.BigTextStyle().bigText(request.text))
            .setContentIntent(open)
            .setAutoCancel(false)
        if (alarm) builder.setFullScreenIntent(open, true).setOngoing(true)
        val n = builder.build()
        if (alarm) n.flags = n.flags or Notification.FLAG_INSISTENT
        nm.notify(watchTag(request.watchId, request.notice), ID_WATCH, n)
        return true
    }

    /** Turned off in the system settings: the system drops what is posted there unseen. */
    private fun channelOff(nm: NotificationManager, id: String): Boolean =
        (nm.getNotificationChannel(id)?.importance ?: NotificationManager.IMPORTANCE_NONE) == NotificationManager.IMPORTANCE_NONE

    private fun watchTag(watchId: String, notice: WatchNotice) = "watch:$watchId:${notice.name}"

    /** The alarm screen for one watch's step; one PendingIntent per watch and step. */
    private fun alarmScreen(context: Context, request: ShellRequest.BuddyAlarm): PendingIntent = PendingIntent.getActivity(
        context, watchTag(request.watchId, request.notice).hashCode(),
        Intent(context, AlarmActivity::class.java)
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
            .putExtra(AlarmActivity.EXTRA_WATCH, request.watchId)
            .putExtra(AlarmActivity.EXTRA_NOTICE, request.notice.name)
            .putExtra(AlarmActivity.EXTRA_TEXT, request.text),
        PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
    )

    /** Withdraws a watch's reminder and alarm steps (acknowledged, or SAFE after all). */
    fun cancelWatchAlarm(context: Context, watchId: String) {
        val nm = manager(context)
        for (notice in WatchNotice.values()) if (notice != WatchNotice.SAFE_AFTER_ALARM) nm.cancel(watchTag(watchId, notice), ID_WATCH)
    }

    /** After "I've got it": the alarm's details stay at hand, quietly (private on the lock
     *  screen), since the alarm screen and the insistent notification are gone. */
    fun watchDetails(context: Context, watchId: String, text: String) {
        manager(context).notify("watch:$watchId", ID_WATCH_DETAILS, builder(context, CHANNEL_WATCH_NOTICES)
            .setContentTitle(context.getString(R.string.notice_title)).setContentText(text)
            .setStyle(Notification.BigTextStyle().bigText(text)).build())
    }

    /** False only when the system says full-screen intents are refused ([VigilApp]). */
    fun canUseFullScreenIntent(context: Context): Boolean = VigilApp.of(context).canUseFullScreenIntent()

    /** A Vigil SMS the core refused: the reason in plain words, no number and no content;
     *  one notification per kind (a new one replaces the last). Private on the lock screen. */
    fun refusal(context: Context, kind: String, text: String) {
        val nm = manager(context)
        if (!nm.areNotificationsEnabled()) return
        val watch = PendingIntent.getActivity(
            context, 13,
            Intent(context, UnlockActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
                .putExtra(UnlockActivity.EXTRA_NEXT, Intent(context, WatchActivity::class.java)),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        nm.notify("refusal:$kind", ID_REFUSAL, builder(context, CHANNEL_WATCH_NOTICES)
            .setContentTitle(context.getString(R.string.notice_title)).setContentText(text)
            .setStyle(Notification.BigTextStyle().bigText(text)).setContentIntent(watch).setAutoCancel(true).build())
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
