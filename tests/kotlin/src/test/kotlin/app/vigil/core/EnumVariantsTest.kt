package app.vigil.core

import app.vigil.core.types.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

/**
 * Every variant of every enum in the API arrives in Kotlin and comes back unchanged. A
 * variant added in the core must be listed here (and in vigil_ffi::enum_variants), or this
 * test fails.
 */
class EnumVariantsTest {
    private val expected: Map<String, List<String>> = mapOf(
        "bookingKinds" to listOf("INCALL", "OUTCALL", "VIDEO", "OTHER"),
        "bookingStatuses" to listOf("PLANNED", "IN_PROGRESS", "DONE", "CANCELLED", "NO_SHOW", "INCIDENT"),
        "channels" to listOf("SMS", "CALL", "OTHER_APP"),
        "checkinPhases" to listOf("ARMED", "ESCALATING", "ENDED"),
        "workerNotices" to listOf("REMINDER", "OVERDUE", "ESCALATING"),
        "messagePurposes" to listOf("ALERT", "DURESS", "SAFE"),
        "risks" to listOf("SAFE", "UNKNOWN", "CAUTION", "DANGER", "BLOCKED"),
        "alertCategories" to listOf(
            "VIOLENCE", "SEXUAL_ASSAULT", "ROBBERY", "STEALTHING", "HARASSMENT", "NON_PAYMENT",
            "TIME_WASTER", "OTHER",
        ),
        "openStates" to listOf("OPEN", "CLOSED", "UNKNOWN"),
        "hoursSources" to listOf("PUBLISHED", "NOT_PUBLISHED", "NOT_UNDERSTOOD"),
        "bundleKinds" to listOf("ALERTS", "DIRECTORY"),
        "wipeStates" to listOf("PENDING", "CANCELLED", "DONE"),
    )

    /** The variants (sealed subclasses) of an enum with data, by simple name. */
    private fun variantsOf(sealed: Class<*>): Set<String> =
        sealed.declaredClasses.filter { sealed.isAssignableFrom(it) }.map { it.simpleName }.toSet()

    @Test
    fun everyEnumVariantRoundTrips() {
        val v = enumVariants()
        val sent: Map<String, List<Enum<*>>> = mapOf(
            "bookingKinds" to v.bookingKinds,
            "bookingStatuses" to v.bookingStatuses,
            "channels" to v.channels,
            "checkinPhases" to v.checkinPhases,
            "workerNotices" to v.workerNotices,
            "messagePurposes" to v.messagePurposes,
            "risks" to v.risks,
            "alertCategories" to v.alertCategories,
            "openStates" to v.openStates,
            "hoursSources" to v.hoursSources,
            "bundleKinds" to v.bundleKinds,
            "wipeStates" to v.wipeStates,
        )
        val all: Map<String, List<String>> = mapOf(
            "bookingKinds" to BookingKind.entries.map { it.name },
            "bookingStatuses" to BookingStatus.entries.map { it.name },
            "channels" to Channel.entries.map { it.name },
            "checkinPhases" to CheckinPhase.entries.map { it.name },
            "workerNotices" to WorkerNotice.entries.map { it.name },
            "messagePurposes" to MessagePurpose.entries.map { it.name },
            "risks" to Risk.entries.map { it.name },
            "alertCategories" to AlertCategory.entries.map { it.name },
            "openStates" to OpenState.entries.map { it.name },
            "hoursSources" to HoursSource.entries.map { it.name },
            "bundleKinds" to BundleKind.entries.map { it.name },
            "wipeStates" to WipeState.entries.map { it.name },
        )
        for ((field, names) in expected) {
            assertEquals(names, all[field], field)
            assertEquals(names, sent[field]!!.map { it.name }, field)
        }
        // The record has one list per enum: a new enum in it must be added above.
        assertEquals(expected.size + 3, EnumVariants::class.java.declaredFields.count { it.name != "Companion" })

        val data = mapOf(
            Outcome::class.java to (setOf("Sent", "Failed") to v.outcomes),
            ActionKind::class.java to (setOf("NotifyWorker", "MessageBuddy", "WorkerAlertFailed") to v.actionKinds),
            MatchSource::class.java to (setOf("Note", "Alert") to v.matchSources),
        )
        for ((cls, pair) in data) {
            val (names, values) = pair
            assertEquals(names, variantsOf(cls), cls.simpleName)
            assertEquals(names, values.map { it.javaClass.simpleName }.toSet(), cls.simpleName)
        }

        val echoed = echoEnumVariants(v)
        assertEquals(v, echoed)
        val buddy = echoed.actionKinds.filterIsInstance<ActionKind.MessageBuddy>().single()
        assertEquals("ą ș ñ ✓", buddy.text)
        assertEquals(MessagePurpose.DURESS, buddy.purpose)
        val alert = echoed.matchSources.filterIsInstance<MatchSource.Alert>().single()
        assertEquals("SWARM Ugly Mugs (NW)", alert.publisher)
        assertEquals(AlertCategory.SEXUAL_ASSAULT, alert.category)
    }
}
