// Paging through the journal (a list with a filter, or a search) with the core's cursors, in
// plain Kotlin; androidMain's JournalPagingSource adapts the same loads to androidx Paging.
package app.kinship.android

import app.kinship.core.JournalPage
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/** One page: its items and the cursor of the next, or null on the last page. */
data class CursorPage<T>(val items: List<T>, val nextCursor: String?)

/** Loads the page at a cursor (null: the first page). */
typealias PageLoader<T> = suspend (cursor: String?) -> CursorPage<T>

/**
 * Walks pages forward: each [next] loads the page after the last one, until [isAtEnd]. Safe
 * to call from several coroutines (one load at a time). Cursors only go forward; to start again
 * after the journal changed, [reset] (or make a new pager).
 */
class CursorPager<T>(private val load: PageLoader<T>) {
    private val mutex = Mutex()
    private var cursor: String? = null

    /** True once the last page was loaded. */
    @Volatile
    var isAtEnd: Boolean = false
        private set

    /** The next page's items; empty once [isAtEnd]. */
    suspend fun next(): List<T> = mutex.withLock {
        if (isAtEnd) return emptyList()
        val page = load(cursor)
        cursor = page.nextCursor
        isAtEnd = page.nextCursor == null
        page.items
    }

    /** Starts again from the first page. */
    suspend fun reset() = mutex.withLock {
        cursor = null
        isAtEnd = false
    }

    /** Every remaining page, loaded as the collector asks for it. */
    fun pages(): Flow<List<T>> = flow {
        while (!isAtEnd) emit(next())
    }

    /** Every remaining item (for a small journal, an export screen, tests). */
    suspend fun all(): List<T> = buildList { while (!isAtEnd) addAll(next()) }
}

/** This journal page as a [CursorPage]. */
fun JournalPage.toCursorPage(): CursorPage<app.kinship.core.JournalEntry> = CursorPage(entries, nextCursor)
