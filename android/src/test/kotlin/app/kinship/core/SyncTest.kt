// Following a group and syncing its events as Kotlin suspend functions against a real
// kinship-server on loopback (started by android/run-jvm-tests.sh).
package app.kinship.core

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

class SyncTest {
    @Test
    fun followSyncEventsCalendarAndUnfollow(): Unit = runBlocking {
        val (server, group) = testServer()
        freshProfile().use { profile ->
            val followed = profile.followGroup(server, group, null)
            assertEquals("JVM test group", followed.name)
            assertEquals(GroupVisibility.PUBLIC, followed.visibility)

            val first = profile.syncNow()
            assertEquals(1u, first.groups)
            assertEquals(1u, first.newEvents)
            assertTrue(first.errors.isEmpty())
            val second = profile.syncNow()
            assertEquals(0u, second.newEvents)
            assertTrue(second.perGroup.single().notModified)

            val events = profile.upcomingEvents(EventQuery(from = "2098-12-31T00:00:00Z", days = 30u))
            val event = events.single()
            assertEquals("Kotlin meetup", event.title)
            assertEquals("2099-01-01T17:00:00.000+00:00", event.startsAtUtc)
            assertEquals("Hall", event.placeName)
            assertEquals(event, profile.getEvent(event.id))
            val ics = profile.exportEventsIcs(listOf(event.id))
            assertTrue(ics.startsWith("BEGIN:VCALENDAR"))
            assertTrue(ics.contains("SUMMARY:Kotlin meetup"))
            assertTrue(profile.upcomingEvents(EventQuery(from = "2100-01-01T00:00:00Z")).isEmpty())

            profile.unfollowGroup(group)
            assertTrue(profile.followedGroups().isEmpty())
            assertThrows<KinshipException.NotFound>("the event left with its group") { profile.getEvent(event.id) }
        }
    }

    @Test
    fun aDirectoryReportQueuesSealedAndLeavesWithTheNextSync(): Unit = runBlocking {
        val (server, group) = testServer()
        freshProfile().use { profile ->
            val line = crisisContacts(freshDir(), "US").contacts.first { it.kind == DirectoryKind.CRISIS_HOTLINE }
            profile.reportDirectoryEntry(line.id, ReportProblem.DID_NOT_CONNECT, "no answer at 3am")
            assertThrows<KinshipException.NotFound>("an entry the directory does not have") {
                profile.reportDirectoryEntry("no-such-entry", ReportProblem.CLOSED, null)
            }
            val queued = profile.queuedDirectoryReports().single()
            assertEquals(line.id, queued.entryId)
            assertEquals(ReportProblem.DID_NOT_CONNECT, queued.problem)
            // Follow the test server: the next sync sends the report, anonymously.
            profile.followGroup(server, group, null)
            val summary = profile.syncNow()
            assertEquals(1u, summary.reportsSent)
            assertTrue(profile.queuedDirectoryReports().isEmpty())
        }
    }

    @Test
    fun noServerIsOfflineAndBadInputIsRefused(): Unit = runBlocking {
        freshProfile().use { profile ->
            // Nothing listens on the discard port.
            assertThrows<KinshipException.Offline>("no server") {
                profile.followGroup("http://127.0.0.1:9", "abc123", null)
            }
            val invalid = assertThrows<KinshipException.InvalidInput>("a malformed group id") {
                profile.followGroup("http://127.0.0.1:9", "not a group id!", null)
            }
            assertTrue(invalid.reason.isNotBlank())
            assertEquals("group_id", invalid.field)
            val summary = profile.syncNow()
            assertEquals(0u, summary.groups)
        }
    }
}
