// userMessage: a kind sentence for every error variant and every input problem, never the reason.
package app.kinship.android

import app.kinship.core.CountryCode
import app.kinship.core.InputProblem
import app.kinship.core.KinshipException
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

class UserMessageTest {
    private val reason = "SECRET typed text"

    /** One of each variant, each carrying [reason] where it has one. */
    private fun everyVariant(): List<KinshipException> = listOf(
        KinshipException.Locked(),
        KinshipException.Erased(),
        KinshipException.NotInitialized(),
        KinshipException.AlreadyInitialized(),
        KinshipException.WrongPassphrase(),
        KinshipException.WrongDeviceKey(),
        KinshipException.WeakPassphrase(),
        KinshipException.NotFound(),
        KinshipException.InvalidInput("title", InputProblem.TOO_LONG, reason),
        KinshipException.Cancelled(),
        KinshipException.Internal(reason),
        KinshipException.Offline(),
        KinshipException.Corrupted(reason),
        KinshipException.BadBackup(reason),
        KinshipException.DirectoryUpdateRefused(reason),
        KinshipException.Remote(503, reason),
        KinshipException.Storage(reason),
    )

    @Test
    fun everyVariantHasItsOwnPlainMessageWithoutTheReason() {
        val variants = everyVariant()
        // That userMessage covers every variant is checked by the compiler (a `when` with no `else`).
        assertEquals(variants.size, variants.map { it::class }.toSet().size)
        val messages = variants.map { userMessage(it) }
        for ((variant, message) in variants.zip(messages)) {
            assertTrue("$variant", message.isNotBlank() && message.endsWith("."))
            assertFalse("$variant: $message", message.contains("SECRET") || message == variant.toString())
        }
        assertEquals("one message per variant", messages.size, messages.toSet().size)
        assertEquals("Kinship is locked. Unlock it to continue.", userMessage(KinshipException.Locked()))
        assertTrue(userMessage(KinshipException.Erased()).contains("erased"))
    }

    @Test
    fun everyInputProblemIsSaidWithItsField() {
        for (problem in InputProblem.entries) {
            for (field in listOf("title", "phone", null, "some_field_the_app_does_not_know")) {
                val message = userMessage(KinshipException.InvalidInput(field, problem, reason))
                assertTrue("$problem $field", message.isNotBlank())
                assertFalse(message, message.contains("SECRET") || message.contains("_"))
            }
        }
        assertEquals(InputProblem.entries.size, InputProblem.entries.map { userMessage(it, "title") }.toSet().size)
        assertEquals("The title is too long. Please shorten it.", userMessage(InputProblem.TOO_LONG, "title"))
        assertEquals("The phone number doesn't look right. Please check it.", userMessage(InputProblem.MALFORMED, "phone"))
        assertEquals("Something needed is missing. Please fill it in.", userMessage(InputProblem.MISSING, null))
    }

    @Test
    fun everyBackgroundPollProblemHasItsOwnMessage() {
        val messages = app.kinship.core.BackgroundPollProblem.entries.map { userMessage(it) }
        assertTrue(messages.all { it.isNotBlank() && it.endsWith(".") })
        assertEquals(messages.size, messages.toSet().size)
    }

    @Test
    fun realErrorsFromTheCoreReadWell() {
        try {
            CountryCode("Germany")
            fail("Germany is not a country code")
        } catch (e: KinshipException) {
            assertEquals("The country doesn't look right. Please check it.", userMessage(e))
        }
    }
}
