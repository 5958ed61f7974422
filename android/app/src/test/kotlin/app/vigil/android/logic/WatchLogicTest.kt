package app.vigil.android.logic

import app.vigil.core.ActionId
import app.vigil.core.WatchAction
import app.vigil.core.WatchActionKind
import app.vigil.core.WatchTerms
import app.vigil.core.types.Channel
import app.vigil.core.types.WatchMessageKind
import app.vigil.core.types.WatchNotice
import java.time.Instant
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

/** Watch over me's plain logic on a plain JVM: the mapping of watch actions and the inbox. */
class WatchLogicTest {
    private val id = ActionId("00112233445566778899aabbccddeeff", 1u)

    private fun send(channel: Channel, phone: String?) = WatchAction(
        id, 1u, WatchActionKind.SendMessage("p", "Ana", phone, channel, WatchMessageKind.WATCH, "VGL1:abc"),
    )

    @Test
    fun aWatchMessageGoesByTheCoresChannelWithItsTextExactly() {
        assertEquals(ShellRequest.Sms(id, "+447400123456", "VGL1:abc", discreet = false), WatchMapper.map(send(Channel.SMS, "+447400123456")))
        assertEquals(ShellRequest.ShareToApp(id, "VGL1:abc"), WatchMapper.map(send(Channel.OTHER_APP, "+447400123456")))
        assertEquals(ShellRequest.ShareToApp(id, "VGL1:abc"), WatchMapper.map(send(Channel.SMS, null)))
    }

    @Test
    fun theBuddysInboxNamesADuressSafeDuressNotSafe() {
        assertEquals("DURESS", WatchView.kindWord(WatchMessageKind.DURESS_SAFE))
        assertEquals("SAFE", WatchView.kindWord(WatchMessageKind.SAFE))
    }

    @Test
    fun aBuddyNoticeBecomesABuddyAlarmWithTheCoresText() {
        val terms = WatchTerms(Instant.EPOCH, 600u, 0, "en", null, null, null, null, null, null)
        val action = WatchAction(id, 1u, WatchActionKind.NotifyBuddy("w", WatchNotice.ALARM, "Mia", null, terms, false, "Mia missed it"))
        assertEquals(ShellRequest.BuddyAlarm(id, "w", WatchNotice.ALARM, "Mia missed it"), WatchMapper.map(action))
        assertTrue(WatchMapper.overdue(WatchNotice.REMINDER))
        assertTrue(WatchMapper.overdue(WatchNotice.CALL_EMERGENCY))
        assertFalse(WatchMapper.overdue(WatchNotice.SAFE_AFTER_ALARM))
    }

    @Test
    fun theInboxJoinsOneSendersPartsAndKeepsOnlyWatchMessages() {
        val parts = listOf(
            SmsInbox.Part("+447700900456", "VGL1:AAAA"), SmsInbox.Part("+447700900456", "BBBB"),
            SmsInbox.Part("+447700900999", "see you at 9"),
        )
        assertEquals(listOf("VGL1:AAAABBBB"), SmsInbox.watchTexts(parts) { it.startsWith("VGL1:") })
        assertEquals("VGP1:abcd", WatchView.pasted(" VGP1:ab\ncd \n"))
    }
}
