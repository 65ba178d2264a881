// Encrypted backups with a progress callback implemented in Kotlin.
package app.kinship.core

import java.io.File
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

class BackupTest {
    private class Recorder : BackupProgress {
        val seen = mutableListOf<Pair<UInt, UInt>>()
        override fun onProgress(done: UInt, total: UInt) {
            seen += done to total
        }
    }

    @Test
    fun exportImportWrongPassphraseAndTamperedFile() {
        val file = File.createTempFile("kinship", ".backup")
        freshProfile().use { profile ->
            repeat(12) { i -> profile.addEntry(note("backup entry $i", mood = 3)) }
            profile.setSafetyPlanSection(SafetyPlanSection.REASONS_FOR_LIVING, listOf("My friends"))
            val recorder = Recorder()
            val exported = profile.exportBackup(file.path, "a separate backup passphrase", recorder)
            assertEquals(12u, exported.entries)
            assertEquals(12u to 12u, recorder.seen.last())
            assertEquals(12, recorder.seen.size)
        }
        freshProfile().use { restored ->
            assertThrows<KinshipException.WrongPassphrase>("wrong backup passphrase") {
                restored.importBackup(file.path, "not the backup passphrase", null)
            }
            assertEquals(0u, restored.entryCount())

            val tampered = File.createTempFile("kinship", ".backup")
            val bytes = file.readBytes()
            bytes[bytes.size / 2] = (bytes[bytes.size / 2].toInt() xor 1).toByte()
            tampered.writeBytes(bytes)
            assertThrows<KinshipException.BadBackup>("a flipped byte") {
                restored.importBackup(tampered.path, "a separate backup passphrase", null)
            }
            assertEquals(0u, restored.entryCount())

            val imported = restored.importBackup(file.path, "a separate backup passphrase", Recorder())
            assertEquals(12u, imported.added)
            assertTrue(imported.safetyPlanRestored)
            assertEquals(12u, restored.entryCount())
            assertEquals(listOf("My friends"), restored.getSafetyPlan().reasonsForLiving)
            assertThrows<KinshipException.BadBackup>("not a backup") {
                restored.importBackup(File.createTempFile("kinship", ".txt").apply { writeText("hello") }.path, "a separate backup passphrase", null)
            }
        }
    }
}
