// NOT the Android SDK: the few android.* and androidx.paging signatures src/androidMain uses,
// so that android/run-jvm-tests.sh type-checks androidMain on a machine without the SDK (no
// test runs them). The Gradle build never sees this folder.
@file:Suppress("unused", "UNUSED_PARAMETER")
package androidx.paging
abstract class PagingSource<Key : Any, Value : Any> {
  abstract suspend fun load(params: LoadParams<Key>): LoadResult<Key, Value>
  abstract fun getRefreshKey(state: PagingState<Key, Value>): Key?
  fun invalidate() {}
  abstract class LoadParams<Key : Any>(val loadSize: Int) { abstract val key: Key? }
  sealed class LoadResult<Key : Any, Value : Any> {
     data class Error<Key : Any, Value : Any>(val throwable: Throwable) : LoadResult<Key, Value>()
     data class Page<Key : Any, Value : Any>(val data: List<Value>, val prevKey: Key?, val nextKey: Key?) : LoadResult<Key, Value>()
  }
}
class PagingState<Key : Any, Value : Any>
class InvalidatingPagingSourceFactory<Key : Any, Value : Any>(private val f: () -> PagingSource<Key, Value>) : () -> PagingSource<Key, Value> {
  override fun invoke() = f()
  fun invalidate() {}
}
