// Benchmark lines printed by the Kotlin side (parsed by scripts/test): the cost of a trivial
// call through JNA, of listing 50 entries as Kotlin objects, and of a listener on writes.
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

    /** A journal write with a Kotlin change listener registered, against the same write without. */
    @Test
    fun listenerOverhead() {
        freshProfile().use { profile ->
            val journal = profile.journal()
            val writes = 400
            repeat(50) { i -> journal.add(note("warm-up $i")) }
            val without = timePerWrite(writes) { i -> journal.add(note("without $i")) }
            val told = java.util.concurrent.atomic.AtomicInteger()
            val handle = journal.observeChanges(object : ChangeListener {
                override fun onChange() {
                    told.incrementAndGet()
                }
            })
            val with = timePerWrite(writes) { i -> journal.add(note("with $i")) }
            handle.cancel()
            assertEquals("one call per write", writes, told.get())
            // Alternate once more so that neither side gets only the warm or only the cold runs.
            val withoutAgain = timePerWrite(writes) { i -> journal.add(note("again $i")) }
            val baseline = minOf(without, withoutAgain)
            println()
            println("bench journal_add_us ${"%.1f".format(baseline)} us")
            println("bench journal_add_with_listener_us ${"%.1f".format(with)} us")
            println("bench listener_overhead_us ${"%.1f".format(with - baseline)} us")
            println("bench listener_ratio ${"%.2f".format(with / baseline)} x")
        }
    }

    private fun timePerWrite(writes: Int, write: (Int) -> Unit): Double {
        val start = System.nanoTime()
        repeat(writes) { write(it) }
        return (System.nanoTime() - start) / writes / 1000.0
    }
}
