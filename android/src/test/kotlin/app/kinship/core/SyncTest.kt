// Following a group and syncing its events through the groups handle (suspend functions)
// against a real kinship-server on loopback (started by android/run-jvm-tests.sh).
package app.kinship.core

import java.time.Instant
import java.time.LocalDateTime
import java.time.ZoneId
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

class SyncTest {
    @Test
    fun followSyncEventsInTheirZoneCalendarAndUnfollow(): Unit = runBlocking {
        val (server, group) = testServer()
        freshProfile().use { profile ->
            val groups = profile.groups()
            val followed = groups.follow(server, group, null)
            assertEquals("JVM test group", followed.name)
            assertEquals(GroupVisibility.PUBLIC, followed.visibility)
            assertEquals(null, followed.lastSyncedAt)

            val first = groups.syncNow(null)
            assertEquals(1, first.groups)
            assertEquals(1, first.newEvents)
            assertTrue(first.errors.isEmpty())
            val second = groups.syncNow(SyncSettings(requestTimeoutMs = 5_000, maxAttempts = 2))
            assertEquals(0, second.newEvents)
            assertTrue(second.perGroup.single().notModified)
            assertTrue(groups.followed().single().lastSyncedAt!!.isAfter(followed.followedAt.minusSeconds(1)))

            val events = groups.upcomingEvents(EventQuery(from = Instant.parse("2098-12-31T00:00:00Z"), days = 30))
            val event = events.single()
            assertEquals("Kotlin meetup", event.title)
            // The organizer's wall clock and zone, and the instant they make.
            assertEquals(LocalDateTime.of(2099, 1, 1, 18, 0), event.startsAt)
            assertEquals(LocalDateTime.of(2099, 1, 1, 20, 0), event.endsAt)
            assertEquals(ZoneId.of("Europe/Berlin"), event.timeZone)
            assertEquals(Instant.parse("2099-01-01T17:00:00Z"), event.startInstant)
            assertEquals(event.startInstant, event.startsAt.atZone(event.timeZone).toInstant())
            assertEquals("Hall", event.placeName)
            assertEquals(event, groups.event(event.id))
            assertFalse(event.toString().contains("Kotlin meetup"))
            val ics = groups.exportIcs(listOf(event.id))
            assertTrue(ics.startsWith("BEGIN:VCALENDAR"))
            assertTrue(ics.contains("SUMMARY:Kotlin meetup"))
            assertTrue(groups.upcomingEvents(EventQuery(from = Instant.parse("2100-01-01T00:00:00Z"))).isEmpty())
            val days = assertThrows<KinshipException.InvalidInput>("negative days") { groups.upcomingEvents(EventQuery(days = -1)) }
            assertEquals("days", days.field)

            groups.unfollow(group)
            assertTrue(groups.followed().isEmpty())
            assertThrows<KinshipException.NotFound>("the event left with its group") { groups.event(event.id) }
        }
    }

    @Test
    fun aJoinLinkIsReadWithoutItsCodeAndJoinsTheGroup(): Unit = runBlocking {
        val (server, group) = testServer()
        val secret = "inv_0123456789secret"
        val privateInfo = parseJoinLink("https://groups.example.org:8443/kinship/join/abc123#invite=$secret")
        assertEquals("https://groups.example.org:8443/kinship", privateInfo.serverUrl)
        assertEquals("abc123", privateInfo.groupId)
        assertTrue(privateInfo.hasInvite)
        assertFalse(privateInfo.toString().contains(secret))
        for (bad in listOf("http://groups.example.org/join/abc123", "https://me@groups.example.org/join/abc123", "https://groups.example.org/join/abc123?x=1", "not a link")) {
            val refused = assertThrows<KinshipException.InvalidInput>(bad) { parseJoinLink(bad) }
            assertEquals("link", refused.field)
        }

        val link = "$server/join/$group"
        val publicInfo = parseJoinLink(link)
        assertEquals(JoinLinkInfo(server, group, false), publicInfo)
        freshProfile().use { profile ->
            val groups = profile.groups()
            val joined = groups.join(link)
            assertEquals("JVM test group", joined.name)
            assertEquals(server, joined.serverUrl)
            assertEquals(listOf(group), groups.followed().map { it.groupId })
            val again = assertThrows<KinshipException.InvalidInput>("the same link twice") { groups.join(link) }
            assertEquals(InputProblem.DUPLICATE, again.problem)
        }
    }

    @Test
    fun aDirectoryReportQueuesSealedAndLeavesWithTheNextSync(): Unit = runBlocking {
        val (server, group) = testServer()
        val dataDir = freshDir()
        freshProfile(dataDir).use { profile ->
            val directory = profile.directory(KinshipDirectory.open(dataDir))
            val line = directory.crisisContacts(CountryCode("US")).contacts.first { it.kind == DirectoryKind.CRISIS_HOTLINE }
            directory.reportDirectoryEntry(line.id, ReportProblem.DID_NOT_CONNECT, "no answer at 3am")
            assertThrows<KinshipException.NotFound>("an entry the directory does not have") {
                directory.reportDirectoryEntry("no-such-entry", ReportProblem.CLOSED, null)
            }
            val queued = directory.queuedDirectoryReports().single()
            assertEquals(line.id, queued.entryId)
            assertEquals(ReportProblem.DID_NOT_CONNECT, queued.problem)
            // Follow the test server: the next sync sends the report, anonymously.
            val groups = profile.groups()
            groups.follow(server, group, null)
            val summary = groups.syncNow(null)
            assertEquals(1, summary.reportsSent)
            assertTrue(directory.queuedDirectoryReports().isEmpty())
        }
    }

    @Test
    fun noServerIsOfflineSettingsAreCheckedAndBadInputIsRefused(): Unit = runBlocking {
        freshProfile().use { profile ->
            val groups = profile.groups()
            // Nothing listens on the discard port.
            assertThrows<KinshipException.Offline>("no server") { groups.follow("http://127.0.0.1:9", "abc123", null) }
            val invalid = assertThrows<KinshipException.InvalidInput>("a malformed group id") {
                groups.follow("http://127.0.0.1:9", "not a group id!", null)
            }
            assertTrue(invalid.reason.isNotBlank())
            assertEquals("group_id", invalid.field)
            for ((settings, field) in listOf(SyncSettings(maxAttempts = 0) to "max_attempts", SyncSettings(requestTimeoutMs = 5) to "request_timeout_ms")) {
                val refused = assertThrows<KinshipException.InvalidInput>(field) { groups.syncNow(settings) }
                assertEquals(field, refused.field)
                assertEquals(InputProblem.OUT_OF_RANGE, refused.problem)
            }
            assertEquals(0, groups.syncNow(SyncSettings(requestTimeoutMs = 1_000, maxAttempts = 1)).groups)
        }
    }
}
