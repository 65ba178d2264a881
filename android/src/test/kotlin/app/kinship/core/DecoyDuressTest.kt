// Decoy and duress passphrases through the generated Kotlin, against the real library: each
// passphrase opens only its own profile, the duress passphrase erases the real one, and the
// folder looks the same with or without them.
package app.kinship.core

import java.io.File
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

class DecoyDuressTest {
    private val decoy = "a harmless decoy passphrase"
    private val duress = "the duress passphrase words"

    @Test
    fun aDecoyPassphraseOpensASeparateProfileAndNeedsTheRealOne(): Unit = runBlocking {
        val dir = freshDir()
        createProfile(dir, bytes()).use { profile ->
            profile.journal().add(note("the real entry"))
            assertEquals(PassphraseSettings(decoy = false, duress = false), profile.passphraseSettings())
            assertThrows<KinshipException.WrongPassphrase>("setting a decoy needs the real passphrase") {
                profile.setDecoyPassphrase(bytes("not the passphrase"), bytes(decoy))
            }
            val same = assertThrows<KinshipException.InvalidInput>("the real passphrase as the decoy") {
                profile.setDecoyPassphrase(bytes(), bytes())
            }
            assertEquals(InputProblem.DUPLICATE, same.problem)
            profile.setDecoyPassphrase(bytes(), bytes(decoy))
            assertEquals(PassphraseSettings(decoy = true, duress = false), profile.passphraseSettings())

            profile.lock()
            profile.unlock(bytes(decoy))
            assertEquals("the decoy starts empty", 0, profile.journal().count())
            profile.journal().add(note("went for a walk"))
            assertEquals("a decoy sees nothing set", PassphraseSettings(decoy = false, duress = false), profile.passphraseSettings())
            val nested = assertThrows<KinshipException.InvalidInput>("a decoy cannot set a decoy") {
                profile.setDecoyPassphrase(bytes(decoy), bytes("yet another passphrase"))
            }
            assertEquals(InputProblem.NOT_ALLOWED, nested.problem)

            profile.lock()
            profile.unlock(bytes())
            assertEquals(listOf("the real entry"), profile.journal().list(JournalFilter(), 10, null).entries.map { it.body })
            profile.clearDecoyPassphrase(bytes())
            profile.lock()
            assertThrows<KinshipException.WrongPassphrase>("a cleared decoy opens nothing") { profile.unlock(bytes(decoy)) }
        }
    }

    @Test
    fun aDeviceKeyOpensOnlyTheProfileThatEnabledIt(): Unit = runBlocking {
        createProfile(freshDir(), bytes()).use { profile ->
            profile.journal().add(note("the real entry"))
            profile.setDecoyPassphrase(bytes(), bytes(decoy))
            profile.lock()
            profile.unlock(bytes(decoy))
            profile.enableDeviceKey(bytes(decoy), ByteArray(32) { 9 })
            profile.lock()
            profile.unlockWithDeviceKey(ByteArray(32) { 9 })
            assertEquals("the device key opens the decoy that enabled it", 0, profile.journal().count())
        }
    }

    @Test
    fun theDuressPassphraseErasesTheProfileAndOpensAnEmptyOne(): Unit = runBlocking {
        val dir = freshDir()
        createProfile(dir, bytes()).use { profile ->
            profile.journal().add(note("something nobody may read"))
            profile.setDecoyPassphrase(bytes(), bytes(decoy))
            profile.setDuressPassphrase(bytes(), bytes(duress))
            assertEquals(PassphraseSettings(decoy = true, duress = true), profile.passphraseSettings())
            profile.lock()

            profile.unlock(bytes(duress))
            assertTrue(profile.isUnlocked())
            assertEquals("a new, empty profile", 0, profile.journal().count())
            assertEquals(PassphraseSettings(decoy = false, duress = false), profile.passphraseSettings())
            profile.lock()
            assertThrows<KinshipException.WrongPassphrase>("the real passphrase is gone") { profile.unlock(bytes()) }
            assertThrows<KinshipException.WrongPassphrase>("the decoy is gone") { profile.unlock(bytes(decoy)) }
            profile.unlock(bytes(duress))
            assertEquals("the duress passphrase now opens the new profile", 0, profile.journal().count())
        }
        val names = File(dir).listFiles()!!.map { it.name }.filter { !it.endsWith("-wal") && !it.endsWith("-shm") }.sorted()
        assertEquals(listOf("keys.json", "kinship-1.sqlite", "kinship.sqlite"), names)
    }

    @Test
    fun theKeyFileHasOneSizeWithOrWithoutDecoyAndDuress(): Unit = runBlocking {
        val plainDir = freshDir()
        val fullDir = freshDir()
        createProfile(plainDir, bytes()).use { it.lock() }
        createProfile(fullDir, bytes()).use { profile ->
            profile.setDecoyPassphrase(bytes(), bytes(decoy))
            profile.setDuressPassphrase(bytes(), bytes(duress))
            profile.lock()
        }
        val plain = File(plainDir, "keys.json").readText()
        val full = File(fullDir, "keys.json").readText()
        assertEquals(plain.length, full.length)
        val shape = { text: String -> Regex("\"([a-z_]+)\"\\s*:").findAll(text).map { it.groupValues[1] }.toList() }
        assertEquals(shape(plain), shape(full))
        assertFalse(full.contains("decoy") || full.contains("duress"))
    }
}
