import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class ConcurrencyTests: XCTestCase {
    func testConcurrentWritersShareOneProfile() async throws {
        let journal = try await makeProfile().journal()
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            for i in 0..<25 {
                XCTAssertNoThrow(try journal.add(entry: NewJournalEntry(body: "writer \(writer) entry \(i)")))
            }
        }
        XCTAssertEqual(try journal.count(), 100)
        let ids = try journal.list(filter: JournalFilter(), limit: 500, cursor: nil).entries.map(\.id)
        XCTAssertEqual(Set(ids).count, 100)
    }

    func testSearchesFromManyTasksAtOnce() async throws {
        let journal = try await makeProfile().journal()
        for i in 0..<20 {
            _ = try journal.add(entry: NewJournalEntry(body: "shared word \(i)"))
        }
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let listed = try await journal.pages(pageSize: 5).allEntries().count
                    let found = try await journal.search(query: "shared", limit: 50, cursor: nil).entries.count
                    return listed + found
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(counts, Array(repeating: 40, count: 8))
    }
}
