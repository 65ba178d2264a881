// Shared helpers for the Kotlin tests that run on a desktop JVM against the host library.
package app.kinship.core

import java.nio.file.Files
import org.junit.Assert.fail

const val PASSPHRASE = "a long kotlin passphrase"

/** A data folder that does not exist yet, in a fresh temporary directory. */
fun freshDir(): String = Files.createTempDirectory("kinship-kt").resolve("phone").toString()

/** A new unlocked profile in a fresh folder. */
fun freshProfile(): KinshipProfile = KinshipProfile.create(freshDir(), PASSPHRASE)

fun note(body: String, mood: Int? = null, tags: List<String> = emptyList(), title: String? = null) =
    NewJournalEntry(title, body, mood?.toUByte(), tags)

/** Runs [block] and returns the exception of type [T] it must throw. */
inline fun <reified T : Throwable> assertThrows(what: String, block: () -> Unit): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) return e
        fail("$what: expected ${T::class.simpleName}, got $e")
    }
    fail("$what: expected ${T::class.simpleName}, nothing was thrown")
    throw IllegalStateException("unreachable")
}

/** The loopback server and group that android/run-jvm-tests.sh started. */
fun testServer(): Pair<String, String> {
    val server = System.getenv("KINSHIP_TEST_SERVER") ?: error("run through android/run-jvm-tests.sh")
    val group = System.getenv("KINSHIP_TEST_GROUP") ?: error("run through android/run-jvm-tests.sh")
    return server to group
}
