// Android only (built by Gradle; run-jvm-tests.sh only type-checks it against
// android/jvm-stubs): the journal's cursor pages as an androidx.paging PagingSource, for a
// LazyColumn or a RecyclerView.
//
// It is not run on the desktop JVM here: androidx artifacts come from Google's Maven repository,
// which this build machine cannot reach, so it is only type-checked against the stubs. The
// pure-Kotlin CursorPager in src/main (tested) does the same walk over the same loads.
package app.kinship.android

import androidx.paging.InvalidatingPagingSourceFactory
import androidx.paging.PagingSource
import androidx.paging.PagingState
import app.kinship.core.JournalEntry
import app.kinship.core.JournalFilter
import app.kinship.core.KinshipException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch

/**
 * Entries, newest first, loaded by [load] (`{ limit, cursor -> journal.list(filter, limit, cursor) }`,
 * or `journal.search(query, ...)`). Keys are the core's cursors; they only go forward, so a
 * refresh starts again from the newest entry (call `invalidate()` when the journal changes).
 * A `KinshipException` becomes a `LoadResult.Error`; show it with `userMessage`.
 */
class JournalPagingSource(
    private val load: suspend (limit: Int, cursor: String?) -> app.kinship.core.JournalPage,
) : PagingSource<String, JournalEntry>() {
    override suspend fun load(params: LoadParams<String>): LoadResult<String, JournalEntry> = try {
        val page = load(params.loadSize, params.key)
        LoadResult.Page(data = page.entries, prevKey = null, nextKey = page.nextCursor)
    } catch (e: KinshipException) {
        LoadResult.Error(e)
    }

    override fun getRefreshKey(state: PagingState<String, JournalEntry>): String? = null
}

/** A paging source over the entries matching [filter]. */
fun JournalRepository.pagingSource(filter: JournalFilter = JournalFilter()) =
    JournalPagingSource { limit, cursor -> list(filter, limit, cursor) }

/**
 * The factory for `Pager(config, pagingSourceFactory = ...)` whose source is invalidated (and
 * the list reloaded from the newest entry) after every journal change, while [scope] (a
 * ViewModel's `viewModelScope`) lives.
 */
fun JournalRepository.pagingSourceFactory(
    scope: CoroutineScope,
    filter: JournalFilter = JournalFilter(),
): InvalidatingPagingSourceFactory<String, JournalEntry> {
    val factory = InvalidatingPagingSourceFactory { pagingSource(filter) }
    scope.launch { changes().collect { factory.invalidate() } }
    return factory
}

/** A paging source over the search results for [query]. */
fun JournalRepository.searchPagingSource(query: String) =
    JournalPagingSource { limit, cursor -> search(query, limit, cursor) }
