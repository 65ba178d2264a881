// The listeners as Flows against the real library: lock states (auto-lock firing while idle),
// changes per feature, sync progress, reminders to schedule, and a collection that ends
// cancels its listener.
package app.kinship.android

import app.kinship.core.JournalInterface
import app.kinship.core.LockState
import app.kinship.core.NewReminder
import app.kinship.core.SyncProgress
import app.kinship.core.TaskHandle
import app.kinship.core.Weekday
import java.nio.file.Files
import java.time.Instant
import java.time.LocalTime
import java.time.ZoneId
import java.time.ZonedDateTime
import java.util.concurrent.CopyOnWriteArrayList
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

class FlowsTest {
    private val passphrase = "a long kotlin passphrase".toCharArray()

    private suspend fun freshKinship(): Kinship =
        Kinship.create(Files.createTempDirectory("kinship-kt").resolve("phone").toString(), passphrase)

    /** Collects [flow] into a channel in this scope; the test reads it with [next]. */
    private fun <T> CoroutineScope.collectInto(flow: Flow<T>): Pair<Channel<T>, kotlinx.coroutines.Job> {
        val channel = Channel<T>(Channel.UNLIMITED)
        val job = launch { flow.collect { channel.send(it) } }
        return channel to job
    }

    /** Lets the collectors started on this (single-threaded) runBlocking register their listeners. */
    private suspend fun settle() = repeat(10) { yield() }

    private suspend fun <T> Channel<T>.next(): T = withTimeout(5_000) { receive() }

    @Test
    fun lockStatesIncludingAutoLockFiringWhileIdle(): Unit = runBlocking {
        freshKinship().use { kinship ->
            val (states, job) = collectInto(kinship.lockStates())
            assertEquals("the current state first", LockState.Unlocked, states.next())
            kinship.lock()
            assertEquals(LockState.Locked(byAutoLock = false), states.next())
            kinship.unlock(passphrase)
            assertEquals(LockState.Unlocked, states.next())
            // Nobody calls anything: the idle timer locks, and the flow says so as it happens.
            kinship.setAutoLockSeconds(1)
            assertEquals(LockState.Locked(byAutoLock = true), states.next())
            kinship.setAutoLockSeconds(null)
            kinship.unlock(passphrase)
            assertEquals(LockState.Unlocked, states.next())
            kinship.quickErase()
            assertEquals(LockState.Erased, states.next())
            job.cancel()
        }
    }

    @Test
    fun screensReReadOnEveryChange(): Unit = runBlocking {
        freshKinship().use { kinship ->
            val (pages, pagesJob) = collectInto(kinship.journal.firstPage(limit = 10))
            assertEquals(0, pages.next().entries.size)
            kinship.journal.add("first")
            assertEquals(listOf("first"), pages.next().entries.map { it.body })
            kinship.journal.add("second")
            assertEquals(listOf("second", "first"), pages.next().entries.map { it.body })
            pagesJob.cancel()

            val (plans, plansJob) = collectInto(kinship.safetyPlan.plan())
            assertTrue(plans.next().helpContacts.isEmpty())
            kinship.safetyPlan.addContact("Sam", "+44 7700 900123")
            assertEquals(listOf("Sam"), plans.next().helpContacts.map { it.name })
            plansJob.cancel()

            val (coping, copingJob) = collectInto(kinship.coping.changes())
            settle()
            kinship.coping.setFavorite(kinship.coping.list().first().id, true)
            assertEquals(Unit, coping.next())
            copingJob.cancel()
        }
    }

    @Test
    fun aCollectionThatEndsCancelsItsListener(): Unit = runBlocking {
        freshKinship().use { kinship ->
            val handles = CopyOnWriteArrayList<TaskHandle>()
            val real = kinship.profile.journal()
            val recording = object : JournalInterface by real {
                override fun observeChanges(listener: app.kinship.core.ChangeListener): TaskHandle =
                    real.observeChanges(listener).also { handles += it }
            }
            val journal = JournalRepository(recording)
            val (pages, job) = collectInto(journal.firstPage())
            assertEquals(0, pages.next().entries.size)
            assertTrue(!handles.single().isCancelled())
            job.cancel()
            job.join()
            assertTrue("the flow's end cancels the core's listener", handles.single().isCancelled())
            real.close()
        }
    }

    @Test
    fun syncProgressStepByStep(): Unit = runBlocking {
        val server = System.getenv("KINSHIP_TEST_SERVER") ?: error("run through android/run-jvm-tests.sh")
        val group = System.getenv("KINSHIP_TEST_GROUP") ?: error("run through android/run-jvm-tests.sh")
        freshKinship().use { kinship ->
            kinship.groups.follow(server, group)
            val (steps, job) = collectInto(kinship.groups.syncProgress())
            val (changes, changesJob) = collectInto(kinship.groups.changes())
            settle()
            assertEquals(1, kinship.groups.syncNow().newEvents)
            assertEquals(SyncProgress.Started(groups = 1), steps.next())
            assertEquals(SyncProgress.GroupFinished(groupId = group, newOrChanged = 1, removed = 0, error = null), steps.next())
            assertEquals(SyncProgress.Finished(groups = 1, failed = 0), steps.next())
            assertEquals(Unit, changes.next())
            job.cancel()
            changesJob.cancel()
        }
    }

    @Test
    fun remindersToScheduleAcrossZones(): Unit = runBlocking {
        freshKinship().use { kinship ->
            val berlin = ZoneId.of("Europe/Berlin")
            val (schedule, job) = collectInto(kinship.reminders.schedule(limit = 3))
            assertTrue(schedule.next().isEmpty())
            val monday = kinship.reminders.add(NewReminder(LocalTime.of(9, 30), listOf(Weekday.MON), berlin))
            assertEquals(LocalTime.of(9, 30), monday.time)
            assertEquals(berlin, monday.zone)
            val next = schedule.next()
            assertEquals(3, next.size)
            assertTrue(next.all { it.reminderId == monday.id })
            assertTrue(next.all { it.at.atZone(berlin).let { t -> t.dayOfWeek == java.time.DayOfWeek.MONDAY && t.toLocalTime() == LocalTime.of(9, 30) } })
            // 1 January 2030 is a Tuesday: the next Monday 09:30 in Berlin is 08:30 UTC on the 7th.
            val after = Instant.parse("2030-01-01T00:00:00Z")
            assertEquals(ZonedDateTime.of(2030, 1, 7, 9, 30, 0, 0, berlin).toInstant(), kinship.reminders.upcoming(after, 1).single().at)
            kinship.reminders.setEnabled(monday.id, false)
            assertTrue(schedule.next().isEmpty())
            job.cancel()
        }
    }

    @Test
    fun backgroundSyncWhileLockedIsMergedAtUnlock(): Unit = runBlocking {
        val server = System.getenv("KINSHIP_TEST_SERVER") ?: error("run through android/run-jvm-tests.sh")
        val group = System.getenv("KINSHIP_TEST_GROUP") ?: error("run through android/run-jvm-tests.sh")
        freshKinship().use { kinship ->
            val key = ByteArray(32) { 5 }
            kinship.groups.follow(server, group)
            kinship.groups.enableBackgroundSync(key)
            assertTrue(kinship.groups.backgroundSyncEnabled())
            kinship.lock()
            val polled = kinship.groups.syncWhileLocked(key)
            assertEquals(1, polled.groupsPolled)
            assertTrue(polled.failures.isEmpty())
            kinship.unlock(passphrase)
            assertEquals(1, kinship.groups.lastBackgroundMerge()!!.newEvents)
            assertEquals(listOf("Kotlin meetup"), kinship.groups.upcomingEvents(app.kinship.core.EventQuery(from = Instant.parse("2098-12-31T00:00:00Z"))).map { it.title })
            kinship.groups.disableBackgroundSync()
        }
    }
}
