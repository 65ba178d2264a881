// NOT the Android SDK: the few android.* and androidx.paging signatures src/androidMain uses,
// so that android/run-jvm-tests.sh type-checks androidMain on a machine without the SDK (no
// test runs them). The Gradle build never sees this folder.
@file:Suppress("unused", "UNUSED_PARAMETER")
package android.util
object Log { const val ERROR = 6; const val WARN = 5; const val INFO = 4; const val DEBUG = 3
  @JvmStatic fun println(priority: Int, tag: String, msg: String): Int = 0 }
