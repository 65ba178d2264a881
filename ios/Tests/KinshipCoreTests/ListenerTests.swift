import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class ListenerTests: XCTestCase {
    func testLockStatesIncludeAutoLockAndErase() async throws {
        let profile = try await makeProfile()
        let states = profile.lockStates()

        profile.lock()
        let locked = await nextValue(of: states, within: 5)
        XCTAssertEqual(locked, .locked(byAutoLock: false))
        try await profile.unlock(passphrase: testPassphrase)
        let unlocked = await nextValue(of: states, within: 5)
        XCTAssertEqual(unlocked, .unlocked)

        // No call at all: the auto-lock fires by itself, and says it was the auto-lock.
        try profile.setAutoLockSeconds(seconds: 1)
        let autoLocked = await nextValue(of: states, within: 10)
        XCTAssertEqual(autoLocked, .locked(byAutoLock: true))
        XCTAssertFalse(profile.isUnlocked())

        try await profile.unlock(passphrase: testPassphrase)
        try profile.setAutoLockSeconds(seconds: nil)
        let again = await nextValue(of: states, within: 5)
        XCTAssertEqual(again, .unlocked)
        try profile.quickErase()
        let erased = await nextValue(of: states, within: 5, matching: { $0 == .erased })
        XCTAssertEqual(erased, .erased)
    }

    func testChangeStreamsYieldAfterWritesAndStopWithTheirTask() async throws {
        let profile = try await makeProfile()
        let journal = profile.journal()
        let changes = journal.changes()
        _ = try journal.add(entry: NewJournalEntry(body: "one"))
        let first: Void? = await nextValue(of: changes, within: 5)
        XCTAssertNotNil(first)

        let planChanges = profile.safetyPlan().changes()
        _ = try profile.safetyPlan().setSection(section: .warningSigns, items: ["Not sleeping"])
        let planChanged: Void? = await nextValue(of: planChanges, within: 5)
        XCTAssertNotNil(planChanged)

        let copingChanges = profile.coping().changes()
        let strategy = try XCTUnwrap(try profile.coping().list(category: .breathing).first)
        try profile.coping().setFavorite(id: strategy.id, favorite: true)
        let copingChanged: Void? = await nextValue(of: copingChanges, within: 5)
        XCTAssertNotNil(copingChanged)

        // A task iterating a stream ends when it is cancelled (and the listener stops).
        let counter = ChangeCounter()
        let watched = journal.changes()
        let watcher = Task {
            for await _ in watched {
                counter.increment()
            }
        }
        _ = try journal.add(entry: NewJournalEntry(body: "two"))
        let deadline = Date().addingTimeInterval(5)
        while counter.value == 0 && Date() < deadline {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTAssertEqual(counter.value, 1)
        watcher.cancel()
        await watcher.value
        _ = try journal.add(entry: NewJournalEntry(body: "three"))
        XCTAssertEqual(counter.value, 1, "told after its task was cancelled")
    }

    func testRemindersFireAtLocalTimesAndReportChanges() async throws {
        let profile = try await makeProfile()
        let reminders = profile.reminders()
        let changes = reminders.changes()
        let tokyo = try XCTUnwrap(TimeZone(timeZoneId: "Asia/Tokyo"))
        let new = try XCTUnwrap(NewReminder(hour: 9, minute: 0, zone: tokyo))
        XCTAssertEqual(new.time, "09:00")
        XCTAssertNil(NewReminder(hour: 24, minute: 0))
        let added = try reminders.add(reminder: new)
        let changed: Void? = await nextValue(of: changes, within: 5)
        XCTAssertNotNil(changed)
        XCTAssertEqual(added.timeComponents?.hour, 9)
        XCTAssertEqual(added.timeZone, tokyo)
        XCTAssertEqual(try reminders.list().map(\.id), [added.id])
        XCTAssertFalse("\(added)".contains("Tokyo"))

        // 2026-12-01T00:00Z is 09:00 in Tokyo: the next firing after it is a day later.
        let after = Date(timeIntervalSince1970: 1_796_083_200)
        let next = try reminders.upcoming(after: after, limit: 2)
        XCTAssertEqual(next.map(\.reminderId), [added.id, added.id])
        XCTAssertEqual(next.first?.at, after.addingTimeInterval(86_400))
        let trigger = try XCTUnwrap(next.first).triggerComponents(in: tokyo)
        XCTAssertEqual([trigger.year, trigger.month, trigger.day, trigger.hour, trigger.minute], [2026, 12, 2, 9, 0])

        // Mondays only.
        let mondays = try reminders.update(id: added.id, reminder: NewReminder(time: "09:00", weekdays: [.mon], zone: "Asia/Tokyo"))
        XCTAssertEqual(mondays.weekdays, [.mon])
        let calendar = KinshipCalendar.iso8601(in: tokyo)
        for firing in try reminders.upcoming(after: after, limit: 3) {
            XCTAssertEqual(Weekday(calendarWeekday: calendar.component(.weekday, from: firing.at)), .mon)
        }
        XCTAssertFalse(try reminders.setEnabled(id: added.id, enabled: false).enabled)
        XCTAssertTrue(try reminders.upcoming(after: after, limit: 3).isEmpty)
        assertKinshipError(try reminders.upcoming(after: after, limit: -1)) { error in
            guard case let .InvalidInput(field, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "limit")
        }
        try reminders.delete(id: added.id)
        XCTAssertTrue(try reminders.list().isEmpty)
    }

    func testWeekdayNumbersMatchFoundation() {
        let all: [Weekday] = [.mon, .tue, .wed, .thu, .fri, .sat, .sun]
        XCTAssertEqual(all.map(\.calendarWeekday), [2, 3, 4, 5, 6, 7, 1])
        XCTAssertEqual(all.compactMap { Weekday(calendarWeekday: $0.calendarWeekday) }, all)
        XCTAssertNil(Weekday(calendarWeekday: 0))
        XCTAssertNil(Weekday(calendarWeekday: 8))
    }
}

/// The next value of `stream` that matches, or `nil` if none comes within `seconds`.
func nextValue<T: Sendable>(
    of stream: AsyncStream<T>,
    within seconds: TimeInterval,
    matching predicate: @escaping @Sendable (T) -> Bool = { _ in true }
) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask {
            for await value in stream where predicate(value) {
                return value
            }
            return nil
        }
        group.addTask {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// Counts changes seen by a watching task.
final class ChangeCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
