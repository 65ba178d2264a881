// The core's log lines into java.util.logging (a JVM app, tests). The lines are redacted at the
// source (counts, status codes, kinds of events; never what a person wrote, an id or a key).
// On a phone, androidMain's LogcatLogSink sends them to Logcat instead.
package app.kinship.android

import app.kinship.core.LogLevel
import app.kinship.core.LogSink
import app.kinship.core.setLogSink
import java.util.logging.Level
import java.util.logging.Logger

/** A [LogSink] that logs to [logger], with the core's module (`kinship_core::groups::sync`) as the source. */
class JavaUtilLogSink(private val logger: Logger = Logger.getLogger("app.kinship")) : LogSink {
    override fun log(level: LogLevel, target: String, message: String) {
        logger.logp(level.toJavaUtilLevel(), target, null, message)
    }
}

/** The java.util.logging level of a core log level. */
fun LogLevel.toJavaUtilLevel(): Level = when (this) {
    LogLevel.ERROR -> Level.SEVERE
    LogLevel.WARN -> Level.WARNING
    LogLevel.INFO -> Level.INFO
    LogLevel.DEBUG -> Level.FINE
}

/** Forwards the core's lines at [level] and above to java.util.logging (one sink per process). */
fun logToJavaUtilLogging(level: LogLevel = LogLevel.INFO, logger: Logger = Logger.getLogger("app.kinship")) {
    setLogSink(JavaUtilLogSink(logger), level)
}
