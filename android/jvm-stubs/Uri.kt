// NOT the Android SDK: the few android.* and androidx.paging signatures src/androidMain uses,
// so that android/run-jvm-tests.sh type-checks androidMain on a machine without the SDK (no
// test runs them). The Gradle build never sees this folder.
@file:Suppress("unused", "UNUSED_PARAMETER")
package android.net
abstract class Uri { companion object { @JvmStatic fun parse(s: String): Uri = throw UnsupportedOperationException() } }
