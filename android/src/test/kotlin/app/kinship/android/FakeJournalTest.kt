// The layer over a fake JournalInterface (as an app's tests would write one): the injected
// dispatcher runs the synchronous calls, and the pagers pass the cursors back in order.
package app.kinship.android

import app.kinship.core.ChangeListener
import app.kinship.core.JournalEntry
import app.kinship.core.JournalFilter
import app.kinship.core.JournalInterface
import app.kinship.core.JournalPage
import app.kinship.core.JournalStats
import app.kinship.core.KinshipException
import app.kinship.core.NewJournalEntry
import app.kinship.core.TaskHandle
import java.time.Instant
import java.time.LocalDate
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Executors
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

class FakeJournalTest {
    /** 23 entries in pages; records each call's thread and cursor. */
    private class FakeJournal : JournalInterface {
        val entries = (0 until 23).map { i -> entry("e$i") }
        val threads = CopyOnWriteArrayList<String>()
        val cursors = CopyOnWriteArrayList<String?>()

        private fun page(limit: Int, cursor: String?): JournalPage {
            threads += Thread.currentThread().name
            cursors += cursor
            val start = cursor?.removePrefix("at:")?.toInt() ?: 0
            val end = minOf(start + limit, entries.size)
            return JournalPage(entries.subList(start, end), if (end < entries.size) "at:$end" else null)
        }

        override fun list(filter: JournalFilter, limit: Int, cursor: String?) = page(limit, cursor)
        override suspend fun search(query: String, limit: Int, cursor: String?) = page(limit, cursor)
        override fun add(entry: NewJournalEntry): JournalEntry {
            threads += Thread.currentThread().name
            return entry("new")
        }
        override fun count(): Int = entries.size
        override fun get(id: String): JournalEntry = throw KinshipException.NotFound()
        override fun update(id: String, entry: NewJournalEntry): JournalEntry = throw KinshipException.NotFound()
        override fun delete(id: String) = throw KinshipException.NotFound()
        override fun unreadableIds(): List<String> = emptyList()
        override fun exportMarkdownUnencrypted(dir: String): Int = 0
        // A fake cannot make a TaskHandle (a native object with no constructor): no listeners here.
        override fun observeChanges(listener: ChangeListener): TaskHandle = throw UnsupportedOperationException("no listeners in this fake")
        override suspend fun stats(from: LocalDate?, to: LocalDate?): JournalStats = JournalStats(0, emptyList(), emptyList(), emptyList(), 0)

        companion object {
            fun entry(id: String) = JournalEntry(id, Instant.EPOCH, Instant.EPOCH, 3600, null, "body $id", null, emptyList(), emptyList())
        }
    }

    @Test
    fun synchronousCallsRunOnTheInjectedDispatcher(): Unit = runBlocking {
        val fake = FakeJournal()
        Executors.newSingleThreadExecutor { Thread(it, "kinship-io") }.asCoroutineDispatcher().use { io ->
            val journal = JournalRepository(fake, io)
            assertEquals("new", journal.add("hello").id)
            journal.list(limit = 5)
            // (With -ea, coroutines' debug mode appends " @coroutine#N" to the thread's name.)
            assertEquals(listOf("kinship-io", "kinship-io"), fake.threads.map { it.substringBefore(" @") })
            assertEquals(23, journal.count())
        }
        // The offset the entry was written at is kept: 01:00 at UTC+1 on 1 January 1970.
        assertEquals("1970-01-01T01:00+01:00", fake.entries.first().createdAtLocal().toString())
    }

    @Test
    fun pagersPassTheCursorsBackInOrderToTheEnd(): Unit = runBlocking {
        val fake = FakeJournal()
        val journal = JournalRepository(fake)
        val pager = journal.pager(pageSize = 10)
        assertEquals(fake.entries, pager.all())
        assertEquals(listOf(null, "at:10", "at:20"), fake.cursors)
        assertTrue(pager.isAtEnd)
        assertEquals(emptyList<JournalEntry>(), pager.next())
        assertEquals(3, fake.cursors.size) // no load after the end

        fake.cursors.clear()
        val search = journal.searchPager("anything", pageSize = 20)
        assertEquals(fake.entries.take(20), search.pages().first())
        assertEquals(listOf<String?>(null), fake.cursors)
        assertEquals(fake.entries.drop(20), search.next())
        search.reset()
        assertEquals(fake.entries.take(20), search.next())
        assertEquals(listOf(null, "at:20", null), fake.cursors)
    }
}
