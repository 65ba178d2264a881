// The Android layer's facade against the real library: every feature through its repository,
// suspend calls on an injected dispatcher, java.time views, pagers and user messages.
package app.kinship.android

import app.kinship.core.CopingContext
import app.kinship.core.CountryCode
import app.kinship.core.EventQuery
import app.kinship.core.KinshipException
import app.kinship.core.MoodPeriod
import app.kinship.core.SafetyPlanSection
import app.kinship.core.SuggestionKind
import java.nio.file.Files
import java.time.DayOfWeek
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId
import java.time.ZoneOffset
import java.time.ZonedDateTime
import java.util.concurrent.Executors
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

class KinshipFacadeTest {
    private val passphrase = "a long kotlin passphrase".toCharArray()

    private fun freshDir(): String = Files.createTempDirectory("kinship-kt").resolve("phone").toString()

    private inline fun <reified T : KinshipException> assertFails(what: String, block: () -> Unit): T {
        try {
            block()
        } catch (e: KinshipException) {
            if (e is T) return e
            fail("$what: got $e")
        }
        fail("$what: nothing was thrown")
        throw IllegalStateException("unreachable")
    }

    @Test
    fun aProfileThroughTheFacade(): Unit = runBlocking {
        val dir = freshDir()
        assertFalse(Kinship.exists(dir))
        val pool = Executors.newSingleThreadExecutor { Thread(it, "kinship-test-io") }
        pool.asCoroutineDispatcher().use { io ->
            Kinship.create(dir, passphrase, io).use { kinship ->
                assertTrue(Kinship.exists(dir) && kinship.isUnlocked)
                val written = (1..25).map { i -> kinship.journal.add("walked by the river, day $i", mood = i % 5 + 1, tags = listOf("walk")) }
                // The journal at the local time it was written.
                val first = written.first()
                assertEquals(first.createdAt, first.createdAtLocal().toInstant())
                assertEquals(ZoneOffset.ofTotalSeconds(first.utcOffsetSeconds), first.createdAtLocal().offset)

                // Paging a list and a search to the end, in pages of 10.
                val pager = kinship.journal.pager(pageSize = 10)
                assertEquals(listOf(10, 10, 5), pager.pages().toList().map { it.size })
                assertTrue(pager.isAtEnd)
                assertEquals(emptyList<Any>(), pager.next())
                pager.reset()
                assertEquals(written.reversed().map { it.id }, pager.all().map { it.id })
                assertEquals(written.reversed().map { it.id }, kinship.journal.searchPager("RIV", 7).all().map { it.id })
                assertEquals(listOf(written[16].id), kinship.journal.searchPager("17").all().map { it.id })

                // Days in the phone's calendar as a filter; mood periods as date ranges.
                val today = first.createdAtLocal().toLocalDate()
                val zone = ZoneOffset.ofTotalSeconds(first.utcOffsetSeconds)
                assertEquals(25, kinship.journal.pager(journalFilterForDays(today, today, zone)).all().size)
                assertEquals(5, kinship.journal.pager(journalFilterForDays(today, today, zone, mood = 3)).all().size)
                assertEquals(0, kinship.journal.pager(journalFilterForDays(today.plusDays(1), today.plusDays(3), zone)).all().size)
                val stats = kinship.journal.stats()
                val day = stats.moodByDay.single().period
                assertEquals(today, day.firstDay)
                assertEquals(today, day.lastDay)
                val week = stats.moodByWeek.single().period
                assertTrue(week is MoodPeriod.Week)
                assertEquals(DayOfWeek.MONDAY, week.firstDay.dayOfWeek)
                assertEquals(DayOfWeek.SUNDAY, week.lastDay.dayOfWeek)
                assertTrue(!today.isBefore(week.firstDay) && !today.isAfter(week.lastDay))

                // A too-long title, said kindly.
                val tooLong = assertFails<KinshipException.InvalidInput>("a long title") { kinship.journal.add("body", title = "x".repeat(500)) }
                assertEquals("The title is too long. Please shorten it.", userMessage(tooLong))

                // Coping: the crisis suggestion carries the phone's country's numbers.
                val suggestions = kinship.coping.suggest(9, listOf(CopingContext.HIGH_DISTRESS), 3, CountryCode("GB"))
                val crisis = suggestions.first { it.kind == SuggestionKind.CRISIS }
                assertTrue(crisis.actions.any { it.toActionIntent() == ActionIntent(ActionIntent.DIAL, "tel:999") })

                // The safety plan's contacts as intents, removed by value.
                kinship.safetyPlan.setSection(SafetyPlanSection.REASONS_FOR_LIVING, listOf("My cat"))
                val sam = kinship.safetyPlan.addContact("Sam", "+44 7700 900123")
                assertEquals(listOf(ActionIntent(ActionIntent.DIAL, "tel:+447700900123")), kinship.safetyPlan.contactActions().map { it.toActionIntent() })
                assertTrue(kinship.safetyPlan.removeContact(sam).helpContacts.isEmpty())

                // The directory: crisis contacts with the closed lines' opening in the phone's zone.
                val help = kinship.directory.crisisContacts(CountryCode("US"))
                assertEquals("tel:911", help.contacts.first().action.uri)
                assertTrue(help.contacts.all { c -> c.opensAtIn(ZoneId.of("America/New_York"))?.let { it.toInstant() == c.opensAt } ?: (c.opensAt == null) })

                // Lock and unlock; a wrong passphrase is said kindly.
                kinship.lock()
                assertFalse(kinship.isUnlocked)
                val locked = assertFails<KinshipException.Locked>("locked") { kinship.journal.count() }
                assertEquals("Kinship is locked. Unlock it to continue.", userMessage(locked))
                assertFails<KinshipException.WrongPassphrase>("wrong") { kinship.unlock("not it at all".toCharArray()) }
                kinship.unlock(passphrase)
                assertEquals(25, kinship.journal.count())

                kinship.quickErase()
                val erased = assertFails<KinshipException.Erased>("erased") { kinship.journal.count() }
                assertTrue(userMessage(erased).contains("erased"))
            }
        }
        pool.shutdown()
        assertFalse(Kinship.exists(dir))
    }

    @Test
    fun groupsAndEventsInTheirOrganizersZone(): Unit = runBlocking {
        val server = System.getenv("KINSHIP_TEST_SERVER") ?: error("run through android/run-jvm-tests.sh")
        val group = System.getenv("KINSHIP_TEST_GROUP") ?: error("run through android/run-jvm-tests.sh")
        val dir = freshDir()
        Kinship.create(dir, passphrase).use { kinship ->
            kinship.groups.follow(server, group)
            assertEquals(1, kinship.groups.syncNow().newEvents)
            val event = kinship.groups.upcomingEvents(EventQuery(from = Instant.parse("2098-12-31T00:00:00Z"), days = 30)).single()
            val berlin = ZoneId.of("Europe/Berlin")
            assertEquals(ZonedDateTime.of(2099, 1, 1, 18, 0, 0, 0, berlin), event.startsAtZoned())
            assertEquals(ZonedDateTime.of(2099, 1, 1, 20, 0, 0, 0, berlin), event.endsAtZoned())
            assertEquals(event.startInstant, event.startsAtZoned().toInstant())
            assertEquals(LocalDate.of(2099, 1, 2), event.startsAtZoned().withZoneSameInstant(ZoneId.of("Asia/Tokyo")).toLocalDate())
            kinship.groups.unfollow(group)
            assertTrue(kinship.groups.followed().isEmpty())
        }
        // Opened again, it is locked until unlocked.
        Kinship.open(dir).use { again ->
            assertFalse(again.isUnlocked)
            again.unlock(passphrase)
            assertEquals(0, again.journal.count())
        }
    }
}
