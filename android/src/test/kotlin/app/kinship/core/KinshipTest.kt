// Kotlin tests on a desktop JVM against the host library through JNA: the generated bindings
// exactly as an Android app uses them. Run by android/run-jvm-tests.sh (called by scripts/test).
package app.kinship.core

import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

class KinshipTest {
    private fun freshDir(): String = Files.createTempDirectory("kinship-kt").resolve("phone").toString()

    @Test
    fun vaultAndJournalWorkAndErrorsAreKotlinExceptions() {
        val dir = freshDir()
        try {
            KinshipProfile.open(dir)
            fail("opening an empty folder must throw")
        } catch (e: KinshipException.NotInitialized) {
            // expected
        }
        try {
            KinshipProfile.create(dir, "short")
            fail("a weak passphrase must throw")
        } catch (e: KinshipException.WeakPassphrase) {
            // expected
        }
        KinshipProfile.create(dir, "a long kotlin passphrase").use { profile ->
            val entry = profile.addEntry(NewJournalEntry("Hello", "written from Kotlin", 4u.toUByte(), listOf("jvm")))
            assertEquals(entry, profile.getEntry(entry.id))
            assertEquals(1, profile.searchEntries("KOTLIN", 10u).size)
            try {
                profile.addEntry(NewJournalEntry(null, "x", 9u.toUByte(), emptyList()))
                fail("mood 9 must throw")
            } catch (e: KinshipException.InvalidInput) {
                assertTrue(e.reason.contains("mood"))
            }
            profile.lock()
            assertFalse(profile.isUnlocked())
            try {
                profile.listEntries(10u)
                fail("a locked vault must throw")
            } catch (e: KinshipException.Locked) {
                // expected
            }
            try {
                profile.unlock("not the passphrase")
                fail("a wrong passphrase must throw")
            } catch (e: KinshipException.WrongPassphrase) {
                // expected
            }
            profile.unlock("a long kotlin passphrase")
            profile.enableDeviceKey(ByteArray(32) { 7 })
            profile.lock()
            profile.unlockWithDeviceKey(ByteArray(32) { 7 })
            assertEquals(entry.id, profile.listEntries(10u).first().id)
            profile.changePassphrase("a long kotlin passphrase", "another long passphrase")
            profile.quickErase()
        }
        try {
            KinshipProfile.open(dir)
            fail("after quick erase nothing opens")
        } catch (e: KinshipException.NotInitialized) {
            // expected
        }
    }

    @Test
    fun crisisContactsAreOneTapAwayWithoutAProfile() {
        val contacts = crisisContacts(freshDir(), "US")
        assertEquals("tel:911", contacts.first().actionUri)
        assertTrue(contacts.any { it.actionUri == "tel:988" })
        assertTrue(contacts.all { it.sourceUrl.startsWith("https://") })
    }

    @Test
    fun syncIsASuspendFunctionAgainstARealServer() {
        val server = System.getenv("KINSHIP_TEST_SERVER") ?: error("run through android/run-jvm-tests.sh")
        val group = System.getenv("KINSHIP_TEST_GROUP") ?: error("run through android/run-jvm-tests.sh")
        KinshipProfile.create(freshDir(), "a long kotlin passphrase").use { profile ->
            runBlocking {
                profile.followGroup(server, group, null)
                val summary = profile.syncNow()
                assertEquals(1u, summary.groups)
                assertEquals(1u, summary.newEvents)
                assertTrue(summary.errors.isEmpty())
            }
        }
    }

    @Test
    fun ffiCallBenchmark() {
        KinshipProfile.create(freshDir(), "a long kotlin passphrase").use { profile ->
            repeat(60) { i -> profile.addEntry(NewJournalEntry("Entry $i", "body $i", null, emptyList())) }
            val calls = 100_000
            var start = System.nanoTime()
            repeat(calls) { profile.isUnlocked() }
            val perCall = (System.nanoTime() - start) / calls
            start = System.nanoTime()
            val runs = 200
            repeat(runs) { assertEquals(50, profile.listEntries(50u).size) }
            val list50 = (System.nanoTime() - start) / runs / 1000.0
            println("bench ffi_call_ns $perCall ns")
            println("bench kotlin_list50_us ${"%.1f".format(list50)} us")
        }
    }
}
