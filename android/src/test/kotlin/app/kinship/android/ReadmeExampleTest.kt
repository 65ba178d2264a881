// Runs the README's Kotlin example (extracted by android/run-jvm-tests.sh into
// com.example.kinship), so what the README shows works as it says.
package app.kinship.android

import com.example.kinship.firstScreen
import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

class ReadmeExampleTest {
    @Test
    fun theReadmeExampleRuns(): Unit = runBlocking {
        val dir = Files.createTempDirectory("kinship-readme").resolve("phone").toString()
        val passphrase = "a long readme passphrase".toCharArray()
        val first = firstScreen(dir, passphrase, "DE")
        assertTrue(first, first.contains("112") && first.endsWith("(tel:112)"))
        assertTrue("the example wipes the passphrase", passphrase.all { it == '\u0000' })
        // The second run opens and unlocks the profile it created.
        assertEquals(first, firstScreen(dir, "a long readme passphrase".toCharArray(), "de"))
        Kinship.open(dir).use { kinship ->
            kinship.unlock("a long readme passphrase".toCharArray())
            assertEquals(2, kinship.journal.count())
        }
        assertEquals("That passphrase didn't work. Please try again.", firstScreen(dir, "not the passphrase".toCharArray(), "DE"))
        assertEquals("The country doesn't look right. Please check it.", firstScreen(dir, "a long readme passphrase".toCharArray(), "Germany"))
    }
}
