// The vault lifecycle and the journal through the generated Kotlin: suspend create and unlock,
// the feature handle, typed errors, java.time, paging and search.
package app.kinship.core

import java.io.File
import java.time.DayOfWeek
import java.time.Instant
import java.time.ZoneOffset
import java.time.temporal.ChronoUnit
import java.time.temporal.IsoFields
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

class VaultJournalTest {
    @Test
    fun vaultLifecycleAndTypedErrors(): Unit = runBlocking {
        val dir = freshDir()
        assertFalse(profileExists(dir))
        assertThrows<KinshipException.NotInitialized>("open an empty folder") { KinshipProfile.open(dir) }
        assertThrows<KinshipException.WeakPassphrase>("weak passphrase") { createProfile(dir, bytes("short")) }
        val notUtf8 = assertThrows<KinshipException.InvalidInput>("a passphrase that is not UTF-8") {
            createProfile(dir, byteArrayOf(0xff.toByte(), 0xfe.toByte(), 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41))
        }
        assertEquals("passphrase", notUtf8.field)
        assertEquals(InputProblem.MALFORMED, notUtf8.problem)
        createProfile(dir, bytes()).use { profile ->
            assertTrue(profileExists(dir))
            assertThrows<KinshipException.AlreadyInitialized>("create twice") { createProfile(dir, bytes()) }
            val journal = profile.journal()
            val entry = journal.add(note("written from Kotlin", mood = 4, tags = listOf("jvm"), title = "Hello"))
            assertEquals(entry, journal.get(entry.id))
            val edited = journal.update(entry.id, note("edited from Kotlin", mood = 5, tags = listOf("jvm", "edit")))
            assertEquals("edited from Kotlin", edited.body)
            assertNull(edited.title)
            assertEquals(entry.createdAt, edited.createdAt)
            assertFalse(edited.updatedAt.isBefore(edited.createdAt))

            val moodNine = assertThrows<KinshipException.InvalidInput>("mood 9") { journal.add(note("x", mood = 9)) }
            assertEquals("mood", moodNine.field)
            assertEquals(InputProblem.OUT_OF_RANGE, moodNine.problem)
            val longTitle = assertThrows<KinshipException.InvalidInput>("a 201-character title") {
                journal.add(note("fine body", title = "t".repeat(201)))
            }
            assertEquals("title", longTitle.field)
            assertEquals(InputProblem.TOO_LONG, longTitle.problem)
            assertFalse("the reason never quotes the input", longTitle.reason.contains("ttttt"))
            assertEquals(1, journal.count())

            profile.lock()
            assertFalse(profile.isUnlocked())
            assertThrows<KinshipException.Locked>("list while locked") { journal.list(JournalFilter(), 10, null) }
            assertThrows<KinshipException.WrongPassphrase>("wrong passphrase") { profile.unlock(bytes("not the passphrase")) }
            profile.unlock(bytes())
            // A handle taken before the lock works again once the profile is unlocked.
            assertEquals(1, journal.count())

            assertThrows<KinshipException.WrongPassphrase>("a device key needs the passphrase") {
                profile.enableDeviceKey(bytes("not the passphrase"), ByteArray(32) { 7 })
            }
            profile.enableDeviceKey(bytes(), ByteArray(32) { 7 })
            assertTrue(profile.hasDeviceKey())
            profile.lock()
            assertThrows<KinshipException.WrongDeviceKey>("other device key") { profile.unlockWithDeviceKey(ByteArray(32) { 8 }) }
            profile.unlockWithDeviceKey(ByteArray(32) { 7 })
            profile.disableDeviceKey()
            assertFalse(profile.hasDeviceKey())

            val zero = assertThrows<KinshipException.InvalidInput>("auto-lock after 0 s") { profile.setAutoLockSeconds(0) }
            assertEquals(InputProblem.OUT_OF_RANGE, zero.problem)
            profile.setAutoLockSeconds(1)
            assertTrue("auto-lock after 1 s idle", eventually(5) { !profile.isUnlocked() })
            profile.setAutoLockSeconds(null)
            profile.unlock(bytes())

            profile.changePassphrase(bytes(), bytes("another long passphrase"))
            profile.lock()
            assertThrows<KinshipException.WrongPassphrase>("old passphrase") { profile.unlock(bytes()) }
            profile.unlock(bytes("another long passphrase"))
            assertEquals("edited from Kotlin", journal.get(entry.id).body)
            journal.delete(entry.id)
            assertThrows<KinshipException.NotFound>("deleted entry") { journal.get(entry.id) }

            profile.quickErase()
            // Erased is told apart from locked, on the profile and on every handle.
            val erased = assertThrows<KinshipException.Erased>("after quick erase") { journal.list(JournalFilter(), 10, null) }
            assertTrue(erased.toString(), erased.toString().contains("erased"))
            assertThrows<KinshipException.Erased>("unlock after quick erase") { profile.unlock(bytes("another long passphrase")) }
            assertThrows<KinshipException.Erased>("coping after quick erase") { profile.coping().list(null) }
        }
        assertThrows<KinshipException.NotInitialized>("open after quick erase") { KinshipProfile.open(dir) }
    }

    @Test
    fun recordsPrintTheirIdsNeverTheirText() {
        freshProfile().use { profile ->
            val journal = profile.journal()
            val secret = "my secret diary text"
            val entry = journal.add(note(secret, mood = 2, tags = listOf("hidden-tag"), title = "Private title"))
            val page = journal.list(JournalFilter(tag = "hidden-tag"), 10, null)
            for (printed in listOf(entry.toString(), "$entry", listOf(entry).toString(), page.toString(), note(secret).toString())) {
                for (text in listOf(secret, "hidden-tag", "Private title")) {
                    assertFalse(printed, printed.contains(text))
                }
                assertTrue(printed, printed.contains("redacted"))
            }
            assertTrue(entry.toString().contains(entry.id))
            assertFalse(JournalFilter(tag = "hidden-tag").toString().contains("hidden-tag"))
        }
    }

    @Test
    fun journalPagesFiltersSearchToTheEnd(): Unit = runBlocking {
        freshProfile().use { profile ->
            val journal = profile.journal()
            val ids = (0 until 30).map { i ->
                val tags = if (i % 3 == 0) listOf("walk") else listOf("work")
                journal.add(note("day $i by the river number$i", mood = i % 5 + 1, tags = tags)).id
            }
            val seen = mutableListOf<String>()
            var cursor: String? = null
            var pages = 0
            do {
                val page = journal.list(JournalFilter(), 7, cursor)
                assertTrue(page.entries.size <= 7)
                seen += page.entries.map { it.id }
                cursor = page.nextCursor
                pages++
            } while (cursor != null)
            assertEquals(ids.reversed(), seen)
            assertEquals(5, pages)
            assertEquals(10, journal.list(JournalFilter(tag = "walk"), 50, null).entries.size)
            assertEquals(6, journal.list(JournalFilter(mood = 3), 50, null).entries.size)
            val negative = assertThrows<KinshipException.InvalidInput>("a negative limit") { journal.list(JournalFilter(), -1, null) }
            assertEquals("limit", negative.field)
            assertEquals(InputProblem.OUT_OF_RANGE, negative.problem)

            // Search pages with the same cursors: "river" is in every entry.
            val found = mutableListOf<String>()
            cursor = null
            do {
                val page = journal.search("RIVER", 8, cursor)
                found += page.entries.map { it.id }
                cursor = page.nextCursor
            } while (cursor != null)
            assertEquals(ids.reversed(), found)
            assertEquals(listOf(ids[17]), journal.search("number17", 10, null).entries.map { it.id })
            assertTrue(journal.search("nowhere", 10, null).let { it.entries.isEmpty() && it.nextCursor == null })

            assertEquals(30, journal.count())
            assertTrue(journal.unreadableIds().isEmpty())
            val out = File(freshDir())
            assertEquals(30, journal.exportMarkdownUnencrypted(out.path))
            assertEquals(30, out.listFiles()!!.count { it.name.endsWith(".md") })
        }
    }

    @Test
    fun javaTimeInstantsFiltersAndMoodPeriods(): Unit = runBlocking {
        freshProfile().use { profile ->
            val journal = profile.journal()
            val before = Instant.now()
            val entry = journal.add(note("a day with a mood", mood = 4, tags = listOf("t")))
            val after = Instant.now()
            assertFalse(entry.createdAt.isBefore(before.truncatedTo(ChronoUnit.MILLIS)))
            assertFalse(entry.createdAt.isAfter(after))
            assertEquals(entry.createdAt, journal.get(entry.id).createdAt)
            val local = entry.createdAt.atOffset(ZoneOffset.ofTotalSeconds(entry.utcOffsetSeconds))
            assertEquals(entry.createdAt, local.toInstant())

            // Filters from instants at whole minutes: the minute the entry was written in and
            // the next one hold it; the minute before it ends does not.
            val minute = entry.createdAt.truncatedTo(ChronoUnit.MINUTES)
            fun listed(from: Instant?, until: Instant?) =
                journal.list(JournalFilter(from = from, until = until), 10, null).entries.map { it.id }
            assertEquals(listOf(entry.id), listed(minute, minute.plus(2, ChronoUnit.MINUTES)))
            assertEquals(listOf(entry.id), listed(minute, null))
            assertEquals(emptyList<String>(), listed(null, minute))
            assertEquals(emptyList<String>(), listed(minute.plus(2, ChronoUnit.MINUTES), null))

            val stats = journal.stats(null, null)
            assertEquals(1, stats.entries)
            val day = stats.moodByDay.single()
            assertEquals(MoodPeriod.Day(local.toLocalDate()), day.period)
            assertEquals(4.0, day.average, 1e-9)
            assertEquals(1, day.ratedEntries)
            val week = stats.moodByWeek.single().period as MoodPeriod.Week
            assertEquals(DayOfWeek.MONDAY, week.firstDay.dayOfWeek)
            assertEquals(local.toLocalDate().get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), week.week)
            assertEquals(local.toLocalDate().get(IsoFields.WEEK_BASED_YEAR), week.isoYear)
            assertTrue(!local.toLocalDate().isBefore(week.firstDay) && local.toLocalDate().isBefore(week.firstDay.plusDays(7)))
            assertEquals(1, stats.tagCounts.single { it.tag == "t" }.count)
            assertEquals(1, stats.currentStreakDays)
            // A range that ends before today counts nothing.
            val empty = journal.stats(null, local.toLocalDate().minusDays(1))
            assertEquals(0, empty.entries)
            assertTrue(empty.moodByDay.isEmpty())
        }
    }

    @Test
    fun oneProfileIsSharedSafelyBetweenThreads() {
        freshProfile().use { profile ->
            val journal = profile.journal()
            val pool = Executors.newFixedThreadPool(4)
            repeat(4) { t -> pool.submit { repeat(25) { i -> journal.add(note("thread $t entry $i")) } } }
            pool.shutdown()
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS))
            assertEquals(100, journal.count())
        }
    }
}
