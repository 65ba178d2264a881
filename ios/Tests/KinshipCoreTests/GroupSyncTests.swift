import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class GroupSyncTests: XCTestCase {
    /// The kinship-server and group the test script started and seeded (one event, "Kotlin
    /// meetup", 2099-01-01 18:00-20:00 Europe/Berlin).
    private func seededServer() throws -> (url: String, group: String) {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["KINSHIP_TEST_SERVER"], let group = environment["KINSHIP_TEST_GROUP"] else {
            throw XCTSkip("KINSHIP_TEST_SERVER and KINSHIP_TEST_GROUP are not set (no test server running)")
        }
        return (url, group)
    }

    func testFollowSyncEventsAndCalendar() async throws {
        let server = try seededServer()
        let profile = try makeProfile()
        let group = try await profile.followGroup(serverUrl: server.url, groupId: server.group, inviteCode: nil)
        XCTAssertFalse(group.name.isEmpty)
        XCTAssertEqual(group.groupId, server.group)
        XCTAssertEqual(try profile.followedGroups().map(\.groupId), [server.group])

        let first = try await profile.syncNow()
        XCTAssertEqual(first.groups, 1)
        XCTAssertEqual(first.newEvents, 1)
        XCTAssertEqual(first.errors, [])
        let second = try await profile.syncNow()
        XCTAssertEqual(second.newEvents, 0)
        XCTAssertEqual(second.perGroup.count, 1)
        XCTAssertEqual(second.perGroup.first?.notModified, true)

        let events = try profile.upcomingEvents(query: EventQuery(from: "2098-12-31T00:00:00Z", days: 30))
        XCTAssertEqual(events.map(\.title), ["Kotlin meetup"])
        let event = try XCTUnwrap(events.first)
        XCTAssertEqual(event.timeZone, "Europe/Berlin")
        XCTAssertEqual(event.startsAt, "2099-01-01T18:00:00")
        // 18:00 and 20:00 in Berlin in January (UTC+1) are 17:00 and 19:00 UTC.
        XCTAssertEqual(event.startDate, Date(timeIntervalSince1970: 4_070_970_000))
        XCTAssertEqual(event.endDate, Date(timeIntervalSince1970: 4_070_977_200))
        XCTAssertEqual(try profile.getEvent(eventId: event.id), event)

        let ics = try profile.exportEventsIcs(eventIds: [event.id])
        XCTAssertTrue(ics.contains("BEGIN:VCALENDAR"))
        XCTAssertTrue(ics.contains("SUMMARY:Kotlin meetup"))

        try profile.unfollowGroup(groupId: server.group)
        XCTAssertTrue(try profile.followedGroups().isEmpty)
        XCTAssertTrue(try profile.upcomingEvents(query: EventQuery(from: "2098-12-31T00:00:00Z")).isEmpty)
    }

    /// Needs no server: nothing listens on the discard port.
    func testFollowingWhileOfflineThrowsOffline() async throws {
        let profile = try makeProfile()
        do {
            _ = try await profile.followGroup(
                serverUrl: "http://127.0.0.1:9", groupId: "0123456789abcdef", inviteCode: nil
            )
            XCTFail("nothing listens on port 9")
        } catch KinshipError.Offline {
            // Expected: everything cached keeps working.
        } catch {
            XCTFail("\(error)")
        }
        XCTAssertTrue(try profile.followedGroups().isEmpty)
    }
}
