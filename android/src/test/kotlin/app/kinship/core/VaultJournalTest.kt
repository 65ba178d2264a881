// The vault lifecycle and the journal through the generated Kotlin, errors as exceptions.
package app.kinship.core

import java.io.File
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

class VaultJournalTest {
    @Test
    fun vaultLifecycleAndTypedErrors() {
        val dir = freshDir()
        assertFalse(profileExists(dir))
        assertThrows<KinshipException.NotInitialized>("open an empty folder") { KinshipProfile.open(dir) }
        assertThrows<KinshipException.WeakPassphrase>("weak passphrase") { KinshipProfile.create(dir, "short") }
        KinshipProfile.create(dir, PASSPHRASE).use { profile ->
            assertTrue(profileExists(dir))
            assertThrows<KinshipException.AlreadyInitialized>("create twice") { KinshipProfile.create(dir, PASSPHRASE) }
            val entry = profile.addEntry(note("written from Kotlin", mood = 4, tags = listOf("jvm"), title = "Hello"))
            assertEquals(entry, profile.getEntry(entry.id))
            val edited = profile.updateEntry(entry.id, note("edited from Kotlin", mood = 5, tags = listOf("jvm", "edit")))
            assertEquals("edited from Kotlin", edited.body)
            // A record printed to a log or a crash report shows its id, never what was written.
            for (printed in listOf(edited.toString(), "$edited", listOf(edited).toString())) {
                assertFalse(printed, printed.contains("edited from Kotlin") || printed.contains("jvm"))
                assertTrue(printed, printed.contains(edited.id) && printed.contains("redacted"))
            }
            assertNull(edited.title)
            assertEquals(entry.createdAt, edited.createdAt)
            val invalid = assertThrows<KinshipException.InvalidInput>("mood 9") { profile.addEntry(note("x", mood = 9)) }
            assertTrue(invalid.reason.contains("mood"))

            profile.lock()
            assertFalse(profile.isUnlocked())
            assertThrows<KinshipException.Locked>("list while locked") { profile.listEntries(10u) }
            assertThrows<KinshipException.WrongPassphrase>("wrong passphrase") { profile.unlock("not the passphrase") }
            profile.unlock(PASSPHRASE)

            assertThrows<KinshipException.WrongPassphrase>("a device key needs the passphrase") {
                profile.enableDeviceKey("not the passphrase", ByteArray(32) { 7 })
            }
            profile.enableDeviceKey(PASSPHRASE, ByteArray(32) { 7 })
            assertTrue(profile.hasDeviceKey())
            profile.lock()
            assertThrows<KinshipException.WrongDeviceKey>("other device key") { profile.unlockWithDeviceKey(ByteArray(32) { 8 }) }
            profile.unlockWithDeviceKey(ByteArray(32) { 7 })
            profile.disableDeviceKey()
            assertFalse(profile.hasDeviceKey())

            profile.setAutoLockSeconds(1u)
            Thread.sleep(1500)
            assertFalse("auto-lock after 1 s idle", profile.isUnlocked())
            profile.setAutoLockSeconds(null)
            profile.unlock(PASSPHRASE)

            profile.changePassphrase(PASSPHRASE, "another long passphrase")
            profile.lock()
            assertThrows<KinshipException.WrongPassphrase>("old passphrase") { profile.unlock(PASSPHRASE) }
            profile.unlock("another long passphrase")
            assertEquals("edited from Kotlin", profile.getEntry(entry.id).body)
            profile.deleteEntry(entry.id)
            assertThrows<KinshipException.NotFound>("deleted entry") { profile.getEntry(entry.id) }
            profile.quickErase()
            // Erased is told apart from locked, and the error reads in a crash report.
            val erased = assertThrows<KinshipException.Erased>("after quick erase") { profile.listEntries(10u) }
            assertTrue(erased.toString(), erased.toString().contains("erased"))
        }
        assertThrows<KinshipException.NotInitialized>("after quick erase") { KinshipProfile.open(dir) }
    }

    @Test
    fun journalPagesFiltersSearchAndStats() {
        freshProfile().use { profile ->
            val ids = (0 until 30).map { i ->
                val tags = if (i % 3 == 0) listOf("walk") else listOf("work")
                profile.addEntry(note("day $i by the river number$i", mood = i % 5 + 1, tags = tags)).id
            }
            val seen = mutableListOf<String>()
            var cursor: String? = null
            do {
                val page = profile.listEntriesPage(JournalFilter(), 10u, cursor)
                assertTrue(page.entries.size <= 10)
                seen += page.entries.map { it.id }
                cursor = page.nextCursor
            } while (cursor != null)
            assertEquals(ids.reversed(), seen)
            assertEquals(10, profile.listEntriesPage(JournalFilter(tag = "walk"), 50u, null).entries.size)
            assertEquals(6, profile.listEntriesPage(JournalFilter(mood = 3u.toUByte()), 50u, null).entries.size)
            assertThrows<KinshipException.InvalidInput>("bad from") {
                profile.listEntriesPage(JournalFilter(from = "yesterday"), 10u, null)
            }
            val found = profile.searchEntries("NUMBER17", 10u)
            assertEquals(listOf(ids[17]), found.map { it.id })
            val stats = profile.journalStats(null, null)
            assertEquals(30u, stats.entries)
            assertEquals(10u, stats.tagCounts.first { it.tag == "walk" }.count)
            assertTrue(stats.currentStreakDays >= 1u)
            assertEquals(30u, profile.entryCount())
            assertTrue(profile.unreadableEntryIds().isEmpty())
            val out = File(freshDir())
            assertEquals(30u, profile.exportMarkdownUnencrypted(out.path))
            assertEquals(30, out.listFiles()!!.count { it.name.endsWith(".md") })
        }
    }

    @Test
    fun oneProfileIsSharedSafelyBetweenThreads() {
        freshProfile().use { profile ->
            val pool = Executors.newFixedThreadPool(4)
            repeat(4) { t -> pool.submit { repeat(25) { i -> profile.addEntry(note("thread $t entry $i")) } } }
            pool.shutdown()
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS))
            assertEquals(100u, profile.entryCount())
        }
    }
}
