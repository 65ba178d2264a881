import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class JournalTests: XCTestCase {
    func testEntriesAddGetUpdateDelete() async throws {
        let journal = try await makeProfile().journal()
        let entry = try journal.add(entry: NewJournalEntry(title: "Hello", body: "written from Swift", mood: 4, tags: ["ios"]))
        XCTAssertEqual(try journal.get(id: entry.id), entry)
        XCTAssertEqual(entry.mood, 4)
        XCTAssertLessThan(abs(entry.createdAt.timeIntervalSinceNow), 60)
        XCTAssertEqual(entry.writtenTimeZone?.secondsFromGMT(), Int(entry.utcOffsetSeconds))
        XCTAssertEqual(entry.writtenComponents.timeZone?.secondsFromGMT(), Int(entry.utcOffsetSeconds))

        let edited = try journal.update(
            id: entry.id,
            entry: NewJournalEntry(title: "Hello again", body: "edited in Swift", mood: 5, tags: ["ios", "edit"])
        )
        XCTAssertEqual(edited.id, entry.id)
        XCTAssertEqual(edited.title, "Hello again")
        XCTAssertEqual(edited.createdAt, entry.createdAt)
        XCTAssertGreaterThanOrEqual(edited.updatedAt, entry.updatedAt)
        XCTAssertEqual(try journal.get(id: entry.id), edited)

        // What a person wrote never reaches a log line through `description`.
        let described = "\(edited)"
        XCTAssertTrue(described.contains("JournalEntry"), described)
        XCTAssertTrue(described.contains(edited.id), described)
        XCTAssertFalse(described.contains("edited in Swift"), described)
        XCTAssertFalse(described.contains("Hello again"), described)

        // Refused input says which field and what kind of problem; the message never quotes it.
        assertKinshipError(try journal.add(entry: NewJournalEntry(body: "x", mood: 9))) { error in
            guard case let .InvalidInput(field, problem, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "mood")
            XCTAssertEqual(problem, .outOfRange)
        }
        let longTitle = String(repeating: "secret title ", count: 40)
        assertKinshipError(try journal.add(entry: NewJournalEntry(title: longTitle, body: "x"))) { error in
            guard case let .InvalidInput(field, problem, reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "title")
            XCTAssertEqual(problem, .tooLong)
            XCTAssertFalse(reason.contains("secret title"), reason)
            XCTAssertEqual(error.userMessage, "The title is too long. Please shorten it.")
        }

        try journal.delete(id: entry.id)
        assertKinshipError(try journal.get(id: entry.id)) { error in
            guard case .NotFound = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try journal.count(), 0)
    }

    func testPagingFiltersSearchAndStats() async throws {
        let journal = try await makeProfile().journal()
        for i in 0..<30 {
            _ = try journal.add(entry: NewJournalEntry(
                title: "Entry \(i)",
                body: "day \(i) felt okay" + (i == 7 ? ", saw a sunflower" : ""),
                mood: Int32(i % 5 + 1),
                tags: i % 3 == 0 ? ["walk"] : ["home"]
            ))
        }

        // Every page, newest first, through the AsyncSequence pager.
        var pageSizes: [Int] = []
        var listed: [JournalEntry] = []
        for try await page in journal.pages(pageSize: 7) {
            pageSizes.append(page.count)
            listed += page
        }
        XCTAssertEqual(pageSizes, [7, 7, 7, 7, 2])
        XCTAssertEqual(Set(listed.map(\.id)).count, 30)
        XCTAssertEqual(listed.first?.title, "Entry 29")
        XCTAssertEqual(listed.map(\.createdAt), listed.map(\.createdAt).sorted(by: >))
        let onePage = try await journal.pages(pageSize: 500).allEntries()
        XCTAssertEqual(onePage.map(\.id), listed.map(\.id))

        // Filters: a tag, and instants (whole minutes around now).
        let walks = try await journal.pages(filter: JournalFilter(tag: "walk"), pageSize: 4).allEntries()
        XCTAssertEqual(walks.count, 10)
        XCTAssertTrue(walks.allSatisfy { $0.tags == ["walk"] })
        let minute = floor(Date().timeIntervalSince1970 / 60) * 60
        let lastHour = JournalFilter(from: Date(timeIntervalSince1970: minute - 3600), until: Date(timeIntervalSince1970: minute + 3600))
        let inLastHour = try await journal.pages(filter: lastHour).allEntries()
        XCTAssertEqual(inLastHour.count, 30)
        let longAgo = try journal.list(filter: JournalFilter(until: Date(timeIntervalSince1970: 946_684_800)), limit: 10, cursor: nil)
        XCTAssertTrue(longAgo.entries.isEmpty)
        XCTAssertNil(longAgo.nextCursor)
        assertKinshipError(try journal.list(filter: JournalFilter(), limit: -1, cursor: nil)) { error in
            guard case let .InvalidInput(field, problem, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "limit")
            XCTAssertEqual(problem, .outOfRange)
        }

        // Search: one word, any case; pages of a search end like a listing's.
        let sunflower = try await journal.search(query: "SUNFLOWER", limit: 10, cursor: nil)
        XCTAssertEqual(sunflower.entries.map(\.title), ["Entry 7"])
        XCTAssertNil(sunflower.nextCursor)
        var searchPages = 0
        var found: [JournalEntry] = []
        for try await page in journal.searchPages(query: "okay", pageSize: 8) {
            searchPages += 1
            found += page
        }
        XCTAssertEqual(searchPages, 4)
        XCTAssertEqual(Set(found.map(\.id)), Set(listed.map(\.id)))

        // Stats on the person's own calendar, with mood periods as days and ISO weeks.
        let today = Date().localDate()
        let stats = try await journal.stats(from: nil, to: nil)
        XCTAssertEqual(stats.entries, 30)
        XCTAssertEqual(stats.tagCounts.first(where: { $0.tag == "walk" })?.count, 10)
        XCTAssertEqual(stats.currentStreakDays, 1)
        let day = try XCTUnwrap(stats.moodByDay.last)
        guard case let .day(date) = day.period else { return XCTFail("\(day.period)") }
        XCTAssertEqual(date, today)
        XCTAssertEqual(day.ratedEntries, 30)
        XCTAssertEqual(day.average, 3, accuracy: 1e-9)
        let week = try XCTUnwrap(stats.moodByWeek.last)
        guard case let .week(isoYear, weekNumber, firstDay) = week.period else { return XCTFail("\(week.period)") }
        let monday = try XCTUnwrap(DateComponents(localDate: firstDay))
        let calendar = KinshipCalendar.iso8601()
        let mondayDate = try XCTUnwrap(calendar.date(from: monday))
        XCTAssertEqual(calendar.component(.weekday, from: mondayDate), 2)
        XCTAssertEqual(calendar.component(.weekOfYear, from: mondayDate), Int(weekNumber))
        XCTAssertEqual(calendar.component(.yearForWeekOfYear, from: mondayDate), Int(isoYear))
        XCTAssertEqual(week.period.dateInterval()?.duration ?? 0, 7 * 86_400, accuracy: 3_600)
        let tomorrow = Date().addingTimeInterval(86_400).localDate()
        let none = try await journal.stats(from: tomorrow, to: nil)
        XCTAssertEqual(none.entries, 0)
        XCTAssertEqual(try journal.unreadableIds(), [])

        // Export as text (into a folder that does not exist yet).
        let export = try makeScratchDirectory().appendingPathComponent("export", isDirectory: true)
        XCTAssertEqual(try journal.exportMarkdownUnencrypted(dir: export.path), 30)
    }
}
