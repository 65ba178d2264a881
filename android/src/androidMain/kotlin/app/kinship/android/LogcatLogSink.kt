// Android only (built by Gradle; run-jvm-tests.sh only type-checks it against
// android/jvm-stubs): the core's log lines in Logcat. They are redacted at the source; still,
// an app may prefer LogLevel.WARN in release.
package app.kinship.android

import android.util.Log
import app.kinship.core.LogLevel
import app.kinship.core.LogSink
import app.kinship.core.setLogSink

/** A [LogSink] that prints to `android.util.Log` under [tag], prefixed with the core's module. */
class LogcatLogSink(private val tag: String = "Kinship") : LogSink {
    override fun log(level: LogLevel, target: String, message: String) {
        val priority = when (level) {
            LogLevel.ERROR -> Log.ERROR
            LogLevel.WARN -> Log.WARN
            LogLevel.INFO -> Log.INFO
            LogLevel.DEBUG -> Log.DEBUG
        }
        Log.println(priority, tag, "$target: $message")
    }
}

/** Forwards the core's lines at [level] and above to Logcat (one sink per process). */
fun logToLogcat(level: LogLevel = LogLevel.INFO) = setLogSink(LogcatLogSink(), level)
