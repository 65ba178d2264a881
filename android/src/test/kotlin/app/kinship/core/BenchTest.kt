// Benchmark lines printed by the Kotlin side (parsed by scripts/test): the cost of a trivial
// call through JNA, and of listing 50 entries as Kotlin objects.
package app.kinship.core

import com.sun.jna.Native
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/** The baseline: the cheapest JNA call there is, libc's getpid() through direct mapping. */
private object LibC {
    init {
        Native.register("c")
    }

    external fun getpid(): Int
}

class BenchTest {
    @Test
    fun ffiCallAndList50() {
        freshProfile().use { profile ->
            val journal = profile.journal()
            repeat(60) { i -> journal.add(note("body $i", title = "Entry $i")) }
            repeat(10_000) { profile.isUnlocked() } // warm up the JIT
            val calls = 100_000
            var start = System.nanoTime()
            repeat(calls) { profile.isUnlocked() }
            val perCall = (System.nanoTime() - start) / calls
            repeat(10_000) { LibC.getpid() }
            start = System.nanoTime()
            repeat(calls) { assertTrue(LibC.getpid() > 0) }
            val jnaCall = maxOf(1L, (System.nanoTime() - start) / calls)
            val all = JournalFilter()
            repeat(20) { journal.list(all, 50, null) }
            val runs = 200
            start = System.nanoTime()
            repeat(runs) { assertEquals(50, journal.list(all, 50, null).entries.size) }
            val list50 = (System.nanoTime() - start) / runs / 1000.0
            // On a line of its own: JUnit prints progress dots without a newline.
            println()
            println("bench ffi_call_ns $perCall ns")
            println("bench jna_getpid_ns $jnaCall ns")
            println("bench ffi_call_vs_jna ${"%.1f".format(perCall.toDouble() / jnaCall)} x")
            println("bench kotlin_list50_us ${"%.1f".format(list50)} us")
        }
    }
}
