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

    /// 2098-12-31T00:00:00Z, a day before the seeded event.
    private let dayBefore = Date(timeIntervalSince1970: 4_070_822_400)

    func testFollowSyncEventsAndCalendar() async throws {
        let server = try seededServer()
        let groups = try await makeProfile().groups()
        let group = try await groups.follow(serverUrl: server.url, groupId: server.group, inviteCode: nil)
        XCTAssertFalse(group.name.isEmpty)
        XCTAssertEqual(group.groupId, server.group)
        XCTAssertEqual(group.visibility, .public)
        XCTAssertEqual(try groups.followed().map(\.groupId), [server.group])
        XCTAssertFalse("\(group)".contains(server.url))

        let progress = groups.syncProgress()
        let changes = groups.changes()
        let first = try await groups.syncNow(settings: nil)
        XCTAssertEqual(first.groups, 1)
        let steps = await collect(progress, within: 5, until: { if case .finished = $0 { return true } else { return false } })
        XCTAssertEqual(steps.first, .started(groups: 1))
        XCTAssertEqual(steps.last, .finished(groups: 1, failed: 0))
        XCTAssertTrue(steps.contains { if case let .groupFinished(groupId, _, _, error) = $0 { return groupId == server.group && error == nil } else { return false } }, "\(steps)")
        let eventsChanged: Void? = await nextValue(of: changes, within: 5)
        XCTAssertNotNil(eventsChanged)
        XCTAssertEqual(first.newEvents, 1)
        XCTAssertEqual(first.errors, [])
        let second = try await groups.syncNow(settings: SyncSettings(requestTimeoutMs: 5_000, maxAttempts: 2))
        XCTAssertEqual(second.newEvents, 0)
        XCTAssertEqual(second.perGroup.first?.notModified, true)
        XCTAssertNotNil(try groups.followed().first?.lastSyncedAt)

        let events = try groups.upcomingEvents(query: EventQuery(from: dayBefore, days: 30))
        XCTAssertEqual(events.map(\.title), ["Kotlin meetup"])
        let event = try XCTUnwrap(events.first)

        // The organizer's wall clock and zone, as the core gives them and as Foundation's.
        XCTAssertEqual(event.timeZone, "Europe/Berlin")
        XCTAssertEqual(event.startsAt, "2099-01-01T18:00:00")
        XCTAssertEqual(event.eventTimeZone?.identifier, "Europe/Berlin")
        let start = try XCTUnwrap(event.startComponents)
        XCTAssertEqual([start.year, start.month, start.day, start.hour, start.minute], [2099, 1, 1, 18, 0])
        XCTAssertEqual(start.timeZone?.identifier, "Europe/Berlin")
        // 18:00 and 20:00 in Berlin in January (UTC+1) are 17:00 and 19:00 UTC.
        XCTAssertEqual(event.startInstant, Date(timeIntervalSince1970: 4_070_970_000))
        XCTAssertEqual(event.startDate, Date(timeIntervalSince1970: 4_070_970_000))
        XCTAssertEqual(event.endDate, Date(timeIntervalSince1970: 4_070_977_200))
        let berlin = try XCTUnwrap(event.eventTimeZone)
        XCTAssertEqual(Date(localDateTime: event.startsAt, in: berlin), event.startInstant)
        XCTAssertEqual(try groups.event(eventId: event.id), event)

        let ics = try groups.exportIcs(eventIds: [event.id])
        XCTAssertTrue(ics.contains("BEGIN:VCALENDAR"))
        XCTAssertTrue(ics.contains("SUMMARY:Kotlin meetup"))

        try groups.unfollow(groupId: server.group)
        XCTAssertTrue(try groups.followed().isEmpty)
        XCTAssertTrue(try groups.upcomingEvents(query: EventQuery(from: dayBefore)).isEmpty)
    }

    /// Needs no server: nothing listens on the discard port.
    func testFollowingWhileOfflineThrowsOffline() async throws {
        let groups = try await makeProfile().groups()
        await assertKinshipErrorAsync({
            try await groups.follow(serverUrl: "http://127.0.0.1:9", groupId: "0123456789abcdef", inviteCode: nil)
        }) { error in
            guard case .Offline = error else { return XCTFail("\(error)") }
            XCTAssertEqual(error.userMessage, "You're offline. Everything saved on this device still works.")
        }
        XCTAssertTrue(try groups.followed().isEmpty)
        // Nothing followed: a sync has nothing to do, and says so without an error.
        let summary = try await groups.syncNow(settings: nil)
        XCTAssertEqual(summary.groups, 0)
    }

    func testBackgroundSyncIsOptIn() async throws {
        let profile = try await makeProfile()
        let groups = profile.groups()
        XCTAssertFalse(try groups.backgroundSyncEnabled())
        assertKinshipError(try groups.enableBackgroundSync(backgroundKey: Data(repeating: 1, count: 16))) { error in
            guard case let .InvalidInput(field, problem, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "background_key")
            XCTAssertEqual(problem, .malformed)
        }
        try groups.enableBackgroundSync(backgroundKey: Data(repeating: 1, count: 32))
        XCTAssertTrue(try groups.backgroundSyncEnabled())
        profile.lock()
        XCTAssertTrue(try groups.backgroundSyncEnabled(), "readable while locked, for the background task")
        try await profile.unlock(passphrase: testPassphrase)
        try groups.disableBackgroundSync()
        XCTAssertFalse(try groups.backgroundSyncEnabled())
    }

    func testSyncSettingsAndEventQueriesAreChecked() async throws {
        let groups = try await makeProfile().groups()
        await assertKinshipErrorAsync({ try await groups.syncNow(settings: SyncSettings(maxAttempts: 0)) }) { error in
            guard case let .InvalidInput(field, problem, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "max_attempts")
            XCTAssertEqual(problem, .outOfRange)
        }
        assertKinshipError(try groups.upcomingEvents(query: EventQuery(days: -1))) { error in
            guard case let .InvalidInput(field, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "days")
        }
        XCTAssertTrue(try groups.upcomingEvents(query: EventQuery()).isEmpty)
    }
}

/// The values of `stream` up to and including the first for which `last` is true, or those that
/// came within `seconds`.
func collect<T: Sendable>(
    _ stream: AsyncStream<T>,
    within seconds: TimeInterval,
    until last: @escaping @Sendable (T) -> Bool
) async -> [T] {
    let seen = Collected<T>()
    _ = await nextValue(of: stream, within: seconds, matching: { value in
        seen.append(value)
        return last(value)
    })
    return seen.values
}

/// Values gathered from whichever task sees them.
final class Collected<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var gathered: [T] = []

    func append(_ value: T) {
        lock.lock()
        gathered.append(value)
        lock.unlock()
    }

    var values: [T] {
        lock.lock()
        defer { lock.unlock() }
        return gathered
    }
}
