// Encrypted backups through the backups handle: progress implemented in Kotlin, wrong
// passphrases and damaged files, and cancellation of exports (to a path, to a sink) and imports.
package app.kinship.core

import java.io.File
import java.nio.file.Files
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

class BackupTest {
    private class Recorder : BackupProgress {
        val seen = CopyOnWriteArrayList<Pair<Int, Int>>()
        override fun onProgress(done: Int, total: Int) {
            seen += done to total
        }
    }

    /**
     * Cancels [job] from the first progress report, and waits there until the job has finished
     * (its native future is then dropped): the core sees the cancellation at its next check.
     */
    private class CancelOnFirstReport : BackupProgress {
        lateinit var job: Job
        val reports = AtomicInteger()
        val lastTotal = AtomicInteger()
        override fun onProgress(done: Int, total: Int) {
            lastTotal.set(total)
            if (reports.incrementAndGet() == 1) {
                job.cancel()
                assertTrue("the cancelled call ends", eventually(5) { job.isCompleted })
            }
        }
    }

    private class RecordingSink : BackupSink {
        val written = AtomicInteger()
        val finished = AtomicBoolean()
        val abandoned = AtomicBoolean()
        override fun write(bytes: ByteArray) {
            written.addAndGet(bytes.size)
        }
        override fun finish() = finished.set(true)
        override fun abandon() = abandoned.set(true)
    }

    /** True once [progress] has had no new report for half a second (within 5 s). */
    private fun stoppedReporting(progress: CancelOnFirstReport): Boolean {
        var last = -1
        var quietSince = System.nanoTime()
        return eventually(5) {
            val now = progress.reports.get()
            if (now != last) {
                last = now
                quietSince = System.nanoTime()
            }
            System.nanoTime() - quietSince > 500_000_000
        }
    }

    @Test
    fun exportImportWrongPassphraseAndTamperedFile(): Unit = runBlocking {
        val file = File.createTempFile("kinship", ".backup")
        val backupPassphrase = "a separate backup passphrase"
        freshProfile().use { profile ->
            repeat(12) { i -> profile.journal().add(note("backup entry $i", mood = 3)) }
            profile.safetyPlan().setSection(SafetyPlanSection.REASONS_FOR_LIVING, listOf("My friends"))
            val recorder = Recorder()
            val exported = profile.backups().exportToPath(file.path, bytes(backupPassphrase), recorder)
            assertEquals(12, exported.entries)
            assertEquals(0, exported.unreadable)
            assertEquals(12 to 12, recorder.seen.last())
            assertEquals(12, recorder.seen.size)
        }
        freshProfile().use { restored ->
            val backups = restored.backups()
            assertThrows<KinshipException.WrongPassphrase>("wrong backup passphrase") {
                backups.importFromPath(file.path, bytes("not the backup passphrase"), null)
            }
            assertEquals(0, restored.journal().count())

            val tampered = File.createTempFile("kinship", ".backup")
            val bytes = file.readBytes()
            bytes[bytes.size / 2] = (bytes[bytes.size / 2].toInt() xor 1).toByte()
            tampered.writeBytes(bytes)
            assertThrows<KinshipException.BadBackup>("a flipped byte") {
                backups.importFromPath(tampered.path, bytes(backupPassphrase), null)
            }
            assertEquals(0, restored.journal().count())

            val imported = backups.importFromPath(file.path, bytes(backupPassphrase), Recorder())
            assertEquals(12, imported.added)
            assertTrue(imported.safetyPlanRestored)
            assertEquals(12, restored.journal().count())
            assertEquals(listOf("My friends"), restored.safetyPlan().get().reasonsForLiving)
            val again = backups.importFromPath(file.path, bytes(backupPassphrase), null)
            assertEquals(0, again.added)
            assertEquals(12, again.unchanged)
            val text = File.createTempFile("kinship", ".txt").apply { writeText("hello") }
            assertThrows<KinshipException.BadBackup>("not a backup") { backups.importFromPath(text.path, bytes(backupPassphrase), null) }
        }
    }

    @Test
    fun aCancelledExportToAPathLeavesNoFileAndNoTemporaryFile(): Unit = runBlocking {
        freshProfile().use { profile ->
            repeat(40) { i -> profile.journal().add(note("entry $i")) }
            val folder = Files.createTempDirectory("kinship-backup").toFile()
            val path = File(folder, "kinship.backup").path
            val progress = CancelOnFirstReport()
            val export = async(start = CoroutineStart.LAZY) { profile.backups().exportToPath(path, bytes("backup passphrase"), progress) }
            progress.job = export
            export.start()
            assertThrows<kotlinx.coroutines.CancellationException>("the export was cancelled") { export.await() }
            assertTrue("the export stops reporting", stoppedReporting(progress))
            assertTrue("it stopped before the end", progress.reports.get() < progress.lastTotal.get())
            assertEquals("no file and no temporary file", emptyList<String>(), folder.list()!!.toList())

            // The same export, not cancelled, writes the file.
            assertEquals(40, profile.backups().exportToPath(path, bytes("backup passphrase"), null).entries)
            assertEquals(listOf("kinship.backup"), folder.list()!!.toList())
        }
    }

    @Test
    fun aCancelTokenStopsAnExportToo(): Unit = runBlocking {
        // Kotlin needs no token (cancelling the coroutine is enough), but may pass one.
        freshProfile().use { profile ->
            repeat(5) { i -> profile.journal().add(note("entry $i")) }
            val folder = Files.createTempDirectory("kinship-backup").toFile()
            val token = CancelToken().apply { cancel() }
            assertTrue(token.isCancelled())
            assertThrows<KinshipException.Cancelled>("a cancelled token") {
                profile.backups().exportToPath(File(folder, "k.backup").path, bytes("backup passphrase"), null, token)
            }
            assertEquals(emptyList<String>(), folder.list()!!.toList())
            val sink = RecordingSink()
            assertThrows<KinshipException.Cancelled>("a cancelled token, to a sink") {
                profile.backups().exportToSink(sink, bytes("backup passphrase"), null, token)
            }
            assertTrue(sink.abandoned.get() || sink.written.get() == 0)
            assertFalse(sink.finished.get())
        }
    }

    @Test
    fun aCancelledExportToASinkIsAbandoned(): Unit = runBlocking {
        freshProfile().use { profile ->
            repeat(40) { i -> profile.journal().add(note("entry $i")) }
            val sink = RecordingSink()
            val progress = CancelOnFirstReport()
            val export = async(start = CoroutineStart.LAZY) { profile.backups().exportToSink(sink, bytes("backup passphrase"), progress) }
            progress.job = export
            export.start()
            assertThrows<kotlinx.coroutines.CancellationException>("the export was cancelled") { export.await() }
            assertTrue("the sink is abandoned", eventually(5) { sink.abandoned.get() })
            assertFalse(sink.finished.get())
            // The bytes go out only once the whole file is sealed: none were written.
            assertEquals(0, sink.written.get())

            val complete = RecordingSink()
            assertEquals(40, profile.backups().exportToSink(complete, bytes("backup passphrase"), null).entries)
            assertTrue(complete.finished.get() && !complete.abandoned.get() && complete.written.get() > 0)
        }
    }

    @Test
    fun aCancelledImportWritesNothing(): Unit = runBlocking {
        val file = File.createTempFile("kinship", ".backup")
        freshProfile().use { profile ->
            repeat(40) { i -> profile.journal().add(note("entry $i")) }
            profile.backups().exportToPath(file.path, bytes("backup passphrase"), null)
        }
        freshProfile().use { restored ->
            // An import reports its progress only after it committed (never under the profile's
            // lock), so it is cancelled from its source instead: at the first read, which waits
            // until the cancelled call has ended.
            val backup = file.readBytes()
            val reads = AtomicInteger()
            val atEnd = AtomicBoolean()
            lateinit var job: Job
            val source = object : BackupSource {
                var offset = 0
                override fun read(maxBytes: Int): ByteArray {
                    if (offset == backup.size) atEnd.set(true)
                    if (reads.incrementAndGet() == 1) {
                        job.cancel()
                        assertTrue("the cancelled call ends", eventually(5) { job.isCompleted })
                    }
                    val piece = backup.copyOfRange(offset, minOf(backup.size, offset + maxBytes))
                    offset += piece.size
                    return piece
                }
            }
            val progress = Recorder()
            val import = async(start = CoroutineStart.LAZY) { restored.backups().importFromSource(source, bytes("backup passphrase"), progress) }
            job = import
            import.start()
            assertThrows<kotlinx.coroutines.CancellationException>("the import was cancelled") { import.await() }
            // The work reads on to the end, decrypts, and stops at its next check: nothing is
            // merged, however long one waits.
            assertTrue("the import read its source to the end", eventually(5) { atEnd.get() })
            assertTrue("nothing is merged", staysTrue(3) { restored.journal().count() == 0 })
            assertTrue(progress.seen.isEmpty())
            assertEquals(40, restored.backups().importFromPath(file.path, bytes("backup passphrase"), null).added)
        }
    }
}
