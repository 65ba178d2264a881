import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class JournalTests: XCTestCase {
    func testJournalPagingSearchAndStats() throws {
        let profile = try makeProfile()
        for i in 0..<30 {
            try profile.addEntry(
                body: "day \(i) felt okay" + (i == 7 ? ", saw a sunflower" : ""),
                title: "Entry \(i)",
                mood: UInt8(i % 5 + 1),
                tags: i % 3 == 0 ? ["walk"] : ["home"]
            )
        }

        // Page through everything, newest first.
        var ids: [String] = []
        var cursor: String? = nil
        var pages = 0
        repeat {
            let page = try profile.listEntriesPage(filter: JournalFilter(), limit: 10, cursor: cursor)
            ids += page.entries.map(\.id)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        XCTAssertEqual(ids.count, 30)
        XCTAssertEqual(Set(ids).count, 30)
        let newest = try profile.listEntries(limit: 50)
        XCTAssertEqual(newest.map(\.id), ids)
        XCTAssertEqual(newest.first?.title, "Entry 29")
        let dates = newest.compactMap(\.createdDate)
        XCTAssertEqual(dates.count, 30)
        XCTAssertEqual(dates, dates.sorted(by: >))

        // Filter, search, stats.
        let walks = try profile.listEntriesPage(filter: JournalFilter(tag: "walk"), limit: 50, cursor: nil)
        XCTAssertEqual(walks.entries.count, 10)
        XCTAssertNil(walks.nextCursor)
        XCTAssertTrue(walks.entries.allSatisfy { $0.tags == ["walk"] })
        let found = try profile.searchEntries(query: "SUNFLOWER", limit: 10)
        XCTAssertEqual(found.map(\.title), ["Entry 7"])
        let stats = try profile.journalStats(from: nil, to: nil)
        XCTAssertEqual(stats.entries, 30)
        XCTAssertEqual(stats.tagCounts.first(where: { $0.tag == "walk" })?.count, 10)
        XCTAssertEqual(try profile.unreadableEntryIds(), [])

        // Export as text (into a folder that does not exist yet).
        let export = try makeScratchDirectory().appendingPathComponent("export", isDirectory: true)
        XCTAssertEqual(try profile.exportMarkdownUnencrypted(dir: export.path), 30)

        // A reason may quote the input; the user-facing message never does.
        let filter = JournalFilter(from: "last tuesday")
        XCTAssertThrowsError(try profile.listEntriesPage(filter: filter, limit: 10, cursor: nil)) { error in
            guard let error = error as? KinshipError, case .InvalidInput(let reason) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(reason.contains("last tuesday"), reason)
            XCTAssertFalse(error.userMessage.contains("last tuesday"))
        }
    }
}
