package app.vigil.android.logic

import app.vigil.core.VigilException
import app.vigil.core.WatchRefusal
import app.vigil.core.types.WatchNotice
import java.time.Duration
import java.time.Instant
import java.time.ZoneOffset
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

/** Refused watch SMS (plain JVM): the reason's kind, the notice limit and what is kept. */
class RefusalsTest {
    private val t0 = Instant.parse("2026-11-30T20:00:00Z")

    /** Every reason the core gives (`WatchRefusal`) has its kind: the wording of its
     *  `detail` plays no part (a reworded error in the core changes nothing here). */
    @Test
    fun everyRefusalOfTheCoreHasItsKind() {
        val kinds = mapOf(
            WatchRefusal.NOT_A_WATCH_MESSAGE to Refusals.Kind.NOT_VIGIL,
            WatchRefusal.MALFORMED to Refusals.Kind.DAMAGED,
            WatchRefusal.TRUNCATED to Refusals.Kind.CUT_OFF,
            WatchRefusal.NEWER_VERSION to Refusals.Kind.NEWER_VERSION,
            WatchRefusal.WRONG_RECIPIENT to Refusals.Kind.WRONG_PHONE,
            WatchRefusal.UNKNOWN_SENDER to Refusals.Kind.NOT_PAIRED,
            WatchRefusal.FORGED to Refusals.Kind.FORGED,
            WatchRefusal.REPLAYED to Refusals.Kind.REPLAYED,
            WatchRefusal.OUT_OF_ORDER to Refusals.Kind.OUT_OF_ORDER,
        )
        assertEquals(WatchRefusal.values().toSet(), kinds.keys)
        for ((reason, kind) in kinds) assertEquals(reason.name, kind, Refusals.kind(reason))
        // Thrown instead of refused with a reason: a newer version is still told as such,
        // anything else as "could not process it" (even in words it used to recognise).
        assertEquals(Refusals.Kind.NEWER_VERSION, Refusals.kind(VigilException.NewerVersion("written by a newer Vigil", null)))
        assertEquals(Refusals.Kind.OTHER, Refusals.kind(VigilException.MessageRefused("the watch message is cut off (a segment missing?)", null)))
        assertEquals(Refusals.Kind.OTHER, Refusals.kind(VigilException.Storage("disk full", null)))
    }

    @Test
    fun oneNoticePerKindAnHourAndNoneForReplays() {
        val log = Refusals.Log()
        assertTrue(log.record(Refusals.Kind.FORGED, t0))
        assertFalse(log.record(Refusals.Kind.FORGED, t0.plus(Duration.ofMinutes(59))))
        assertTrue("another kind is told", log.record(Refusals.Kind.CUT_OFF, t0.plus(Duration.ofMinutes(59))))
        assertTrue("an hour after the last notice", log.record(Refusals.Kind.FORGED, t0.plus(Duration.ofMinutes(60))))
        // A steady stream is told once an hour, not silenced for good.
        assertFalse(log.record(Refusals.Kind.FORGED, t0.plus(Duration.ofMinutes(90))))
        assertTrue(log.record(Refusals.Kind.FORGED, t0.plus(Duration.ofMinutes(121))))
        assertTrue("a clock set back tells again", log.record(Refusals.Kind.FORGED, t0.minus(Duration.ofDays(1))))
        for (i in 0 until 3) assertFalse("replays are never told", log.record(Refusals.Kind.REPLAYED, t0.plus(Duration.ofHours(i * 5L))))
        assertFalse("nor older messages", log.record(Refusals.Kind.OUT_OF_ORDER, t0))
    }

    @Test
    fun theLogKeepsKindsAndTimesOnlyAndSurvivesSaving() {
        val log = Refusals.Log()
        for (i in 0 until 30) log.record(if (i % 2 == 0) Refusals.Kind.FORGED else Refusals.Kind.REPLAYED, t0.plusSeconds(i * 60L))
        assertEquals(Refusals.KEPT, log.entries.size)
        val saved = log.save()
        assertTrue(saved, saved.lines().all { Regex("[EN] [A-Z_]+ \\d+").matches(it) })
        val back = Refusals.Log.load(saved)
        assertEquals(log.entries, back.entries)
        assertFalse("the limit survives a reload", back.record(Refusals.Kind.FORGED, t0.plusSeconds(30 * 60L)))
        assertEquals(Refusals.Log.load("junk\nE NOPE 1\nE FORGED x").entries, emptyList<Refusals.Entry>())
        // Newest first: the one just recorded.
        val lines = back.lines(ZoneOffset.UTC)
        assertEquals(Refusals.SHOWN, lines.size)
        assertEquals(UiText.Res(Msg.WATCH_REFUSED_LINE, listOf("2026-11-30 20:30", UiText.Res(Msg.REFUSAL_FORGED))), lines.first().text)
    }

    @Test
    fun onlyTheAlarmAndTheCallsAfterItAreAlarmSteps() {
        assertEquals(
            listOf(WatchNotice.ALARM, WatchNotice.CALL_WORKER, WatchNotice.CALL_EMERGENCY),
            WatchNotice.values().filter { WatchMapper.isAlarmStep(it) },
        )
    }
}
