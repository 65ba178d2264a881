// The java.util.logging sink: levels mapped, the core's module as the source, and installed as
// the process's sink.
package app.kinship.android

import app.kinship.core.LogLevel
import app.kinship.core.setLogSink
import java.util.logging.Handler
import java.util.logging.Level
import java.util.logging.LogRecord
import java.util.logging.Logger
import org.junit.Assert.assertEquals
import org.junit.Test

class LogSinkTest {
    private class Capture : Handler() {
        val records = mutableListOf<LogRecord>()
        override fun publish(record: LogRecord) {
            records += record
        }
        override fun flush() {}
        override fun close() {}
    }

    @Test
    fun linesKeepTheirLevelAndModule() {
        val logger = Logger.getLogger("app.kinship.test").apply {
            useParentHandlers = false
            level = Level.ALL
        }
        val capture = Capture().also { logger.addHandler(it) }
        val sink = JavaUtilLogSink(logger)
        for (level in LogLevel.entries) sink.log(level, "kinship_core::groups::sync", "synced 2 groups")
        assertEquals(listOf(Level.SEVERE, Level.WARNING, Level.INFO, Level.FINE), capture.records.map { it.level })
        assertEquals(setOf("kinship_core::groups::sync"), capture.records.map { it.sourceClassName }.toSet())
        assertEquals(setOf("synced 2 groups"), capture.records.map { it.message }.toSet())
        // Installing it as the process's sink, and removing it, are accepted by the library.
        logToJavaUtilLogging(LogLevel.DEBUG, logger)
        setLogSink(null, LogLevel.ERROR)
    }
}
