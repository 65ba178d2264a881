// Shared helpers for the Kotlin tests that run on a desktop JVM against the host library.
package app.kinship.core

import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.Assert.fail

const val PASSPHRASE = "a long kotlin passphrase"

/** A passphrase as the bindings take it: UTF-8 bytes (the app wipes them after the call). */
fun bytes(passphrase: String = PASSPHRASE): ByteArray = passphrase.toByteArray(Charsets.UTF_8)

/** A data folder that does not exist yet, in a fresh temporary directory. */
fun freshDir(): String = Files.createTempDirectory("kinship-kt").resolve("phone").toString()

/** A new unlocked profile in a fresh folder. */
fun freshProfile(dir: String = freshDir()): KinshipProfile = runBlocking { createProfile(dir, bytes()) }

fun note(body: String, mood: Int? = null, tags: List<String> = emptyList(), title: String? = null) =
    NewJournalEntry(title = title, body = body, mood = mood, tags = tags)

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

/** Polls [condition] every 20 ms for up to [seconds]; true as soon as it holds. */
fun eventually(seconds: Long = 5, condition: () -> Boolean): Boolean {
    val deadline = System.nanoTime() + seconds * 1_000_000_000
    while (System.nanoTime() < deadline) {
        if (condition()) return true
        Thread.sleep(20)
    }
    return condition()
}

/** Checks [condition] every 50 ms for [seconds]; false as soon as it fails. */
fun staysTrue(seconds: Long, condition: () -> Boolean): Boolean {
    val deadline = System.nanoTime() + seconds * 1_000_000_000
    while (System.nanoTime() < deadline) {
        if (!condition()) return false
        Thread.sleep(50)
    }
    return condition()
}

/** The loopback server and group that android/run-jvm-tests.sh started. */
fun testServer(): Pair<String, String> {
    val server = System.getenv("KINSHIP_TEST_SERVER") ?: error("run through android/run-jvm-tests.sh")
    val group = System.getenv("KINSHIP_TEST_GROUP") ?: error("run through android/run-jvm-tests.sh")
    return server to group
}
