// Backups through Java streams: an export into a ByteArrayOutputStream restored from a
// ByteArrayInputStream, a stream that trickles, a stream that fails, and a cancelled export.
package app.kinship.android

import app.kinship.core.KinshipException
import java.io.ByteArrayInputStream
import java.io.ByteArrayOutputStream
import java.io.FilterInputStream
import java.io.IOException
import java.io.InputStream
import java.io.OutputStream
import java.nio.file.Files
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicBoolean
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

class StreamsTest {
    private val passphrase = "a long kotlin passphrase".toCharArray()
    private val backupPassphrase = "the backup's own passphrase".toCharArray()

    private suspend fun profileWith(entries: Int): Kinship {
        val kinship = Kinship.create(Files.createTempDirectory("kinship-kt").resolve("phone").toString(), passphrase)
        repeat(entries) { i -> kinship.journal.add("entry $i for the stream", mood = 3) }
        // An empty profile (a restore target) has no plan: a plan already here is kept.
        if (entries > 0) kinship.safetyPlan.addContact("Sam", "+44 7700 900123")
        return kinship
    }

    /** Gives at most 3 bytes per read, and sometimes none, as a slow pipe does. */
    private class Trickle(input: InputStream) : FilterInputStream(input) {
        private var calls = 0
        override fun read(b: ByteArray, off: Int, len: Int): Int =
            if (calls++ % 4 == 3) 0 else super.read(b, off, minOf(len, 3))
    }

    private class ClosingRecorder(val inner: OutputStream) : OutputStream() {
        val closed = AtomicBoolean()
        override fun write(b: Int) = inner.write(b)
        override fun write(b: ByteArray, off: Int, len: Int) = inner.write(b, off, len)
        override fun close() = closed.set(true)
    }

    @Test
    fun anExportToAStreamIsRestoredFromAStream(): Unit = runBlocking {
        val bytes = ByteArrayOutputStream()
        profileWith(30).use { kinship ->
            val out = ClosingRecorder(bytes)
            val reports = CopyOnWriteArrayList<Pair<Int, Int>>()
            val summary = kinship.backups.exportTo(out, backupPassphrase, BackupProgressCallback { done, total -> reports += done to total })
            assertEquals(30, summary.entries)
            assertTrue("the stream is closed at the end", out.closed.get())
            assertEquals(30 to 30, reports.last())
        }
        val backup = bytes.toByteArray()
        assertTrue(backup.size > 1000)
        profileWith(0).use { restored ->
            val input = ByteArrayInputStream(backup)
            assertFails<KinshipException.WrongPassphrase> { restored.backups.importFrom(input, "not the backup's".toCharArray()) }
            assertEquals(0, restored.journal.count())
            val imported = restored.backups.importFrom(ByteArrayInputStream(backup), backupPassphrase)
            assertEquals(30, imported.added)
            assertTrue(imported.safetyPlanRestored)
            assertEquals(30, restored.journal.count())
            assertEquals("Sam", restored.safetyPlan.get().helpContacts.single().name)
            // A stream that trickles gives the same file: nothing new, everything unchanged.
            val again = restored.backups.importFrom(Trickle(ByteArrayInputStream(backup)), backupPassphrase)
            assertEquals(0, again.added)
            assertEquals(30, again.unchanged)
        }
    }

    @Test
    fun theSourceNeverReturnsMoreThanAskedAndAnEmptyArrayAtTheEnd() {
        val data = ByteArray(100_000) { (it % 251).toByte() }
        val source = InputStreamBackupSource(Trickle(ByteArrayInputStream(data)))
        val read = ByteArrayOutputStream()
        while (true) {
            val piece = source.read(2)
            assertTrue(piece.size <= 2)
            if (piece.isEmpty()) break
            read.write(piece)
        }
        assertArrayEquals(data, read.toByteArray())
        assertEquals(0, source.read(10).size)
    }

    @Test
    fun aFailingStreamIsAStorageErrorAndTheDocumentIsAbandoned(): Unit = runBlocking {
        profileWith(5).use { kinship ->
            val abandoned = AtomicBoolean()
            val broken = object : OutputStream() {
                override fun write(b: Int) = throw IOException("disk full at /secret/path")
            }
            val e = assertFails<KinshipException.Storage> { kinship.backups.exportTo(broken, backupPassphrase, onAbandon = { abandoned.set(true) }) }
            assertTrue(abandoned.get())
            assertFalse("no file name from the stream's message", e.toString().contains("/secret/path"))
            assertEquals("Kinship couldn't save to this device. Please check that there is free space.", userMessage(e))
            val failingInput = object : InputStream() {
                override fun read(): Int = throw IOException("gone")
            }
            assertFails<KinshipException> { kinship.backups.importFrom(failingInput, backupPassphrase) }
            assertEquals(5, kinship.journal.count())
        }
    }

    @Test
    fun aCancelledExportToAStreamIsAbandoned(): Unit = runBlocking {
        profileWith(40).use { kinship ->
            val abandoned = AtomicBoolean()
            val out = ByteArrayOutputStream()
            lateinit var job: Job
            var first = true
            val progress = BackupProgressCallback { _, _ ->
                if (first) {
                    first = false
                    job.cancel()
                    // Wait here until the call has ended, so the core sees the cancellation next.
                    val deadline = System.nanoTime() + 5_000_000_000
                    while (!job.isCompleted && System.nanoTime() < deadline) Thread.sleep(10)
                }
            }
            val export = async(start = CoroutineStart.LAZY) {
                kinship.backups.exportTo(out, backupPassphrase, progress, onAbandon = { abandoned.set(true) })
            }
            job = export
            export.start()
            try {
                export.await()
                fail("the export was cancelled")
            } catch (_: CancellationException) {
            }
            val deadline = System.nanoTime() + 5_000_000_000
            while (!abandoned.get() && System.nanoTime() < deadline) Thread.sleep(10)
            assertTrue("onAbandon ran", abandoned.get())
            assertEquals(0, out.size())
        }
    }

    private inline fun <reified T : KinshipException> assertFails(block: () -> Unit): T {
        try {
            block()
        } catch (e: KinshipException) {
            if (e is T) return e
            fail("got $e")
        }
        fail("nothing was thrown")
        throw IllegalStateException("unreachable")
    }
}
