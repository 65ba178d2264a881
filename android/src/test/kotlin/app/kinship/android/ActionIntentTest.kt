// Actions as Android Intents (a plain description, tested here; androidMain builds the Intent).
package app.kinship.android

import app.kinship.core.Action
import app.kinship.core.ActionKind
import app.kinship.core.ActionTrace
import app.kinship.core.CountryCode
import app.kinship.core.crisisContacts
import java.nio.file.Files
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

class ActionIntentTest {
    @Test
    fun callsDialTextsOpenAMessageAndTheRestIsViewed() {
        val dir = Files.createTempDirectory("kinship-kt").resolve("phone").toString()
        val us = crisisContacts(dir, CountryCode("US")).contacts.map { it.action }
        val emergency = us.first().toActionIntent()
        assertEquals(ActionIntent("android.intent.action.DIAL", "tel:911"), emergency)
        val texts = us.filter { it.kind == ActionKind.TEXT }
        assertTrue("the US has a text line", texts.isNotEmpty())
        assertTrue(texts.all { it.toActionIntent().action == ActionIntent.SENDTO && it.toActionIntent().data == it.uri })
        assertTrue(us.filter { it.kind == ActionKind.CALL }.all { it.toActionIntent().action == ActionIntent.DIAL })

        val whatsApp = Action("Message on WhatsApp", "https://wa.me/15550100", ActionKind.WHATS_APP, ActionTrace.MESSAGING_APP_CHAT, false)
        assertEquals(ActionIntent(ActionIntent.VIEW, "https://wa.me/15550100"), whatsApp.toActionIntent())
        val site = Action("Open the website", "https://example.org/help", ActionKind.WEBSITE, ActionTrace.BROWSER_HISTORY, false)
        assertEquals(ActionIntent.VIEW, site.toActionIntent().action)
        // Android dials star codes from the link: dialByHand is for iOS.
        val star = Action("Call *4141", "tel:*4141", ActionKind.CALL, ActionTrace.CALL_LOG, true)
        assertEquals(ActionIntent(ActionIntent.DIAL, "tel:*4141"), star.toActionIntent())
        assertEquals(ActionIntent.SENDTO, Action("Text", "SMSTO:741741", ActionKind.TEXT, ActionTrace.SMS_THREAD, false).toActionIntent().action)
    }

    @Test
    fun aCallThatMayCostOrShowOnTheBillSaysSo() {
        val call = Action("Call 988", "tel:988", ActionKind.CALL, ActionTrace.CALL_LOG, false)
        assertEquals(null, call.costNotice)
        assertEquals(null, call.copy(free = true, onPhoneBill = false).costNotice)
        assertEquals("This call will show on the phone bill.", call.copy(free = true, onPhoneBill = true).costNotice)
        assertEquals("This call may cost money.", call.copy(free = false).costNotice)
        assertEquals("This call may cost money and will show on the phone bill.", call.copy(free = false, onPhoneBill = true).costNotice)
        // The directory's own lines say what it knows.
        val dir = Files.createTempDirectory("kinship-kt").resolve("phone").toString()
        val us = crisisContacts(dir, CountryCode("US")).contacts
        val calls = us.filter { it.action.kind == ActionKind.CALL }
        assertTrue(calls.isNotEmpty() && calls.all { it.action.free == it.free && it.action.onPhoneBill == it.onPhoneBill })
    }

    @Test
    fun everyTraceHasItsOwnNotice() {
        val notices = ActionTrace.entries.map { traceNotice(it) }
        assertTrue(notices.all { it.isNotBlank() })
        assertEquals(ActionTrace.entries.size, notices.toSet().size)
        assertTrue(traceNotice(ActionTrace.CALL_LOG).contains("call history"))
    }
}
