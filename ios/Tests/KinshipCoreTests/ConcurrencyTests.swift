import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class ConcurrencyTests: XCTestCase {
    func testConcurrentWritersShareOneProfile() throws {
        let profile = try makeProfile()
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            for i in 0..<25 {
                XCTAssertNoThrow(try profile.addEntry(body: "writer \(writer) entry \(i)"))
            }
        }
        XCTAssertEqual(try profile.entryCount(), 100)
        let ids = try profile.listEntries(limit: 500).map(\.id)
        XCTAssertEqual(Set(ids).count, 100)
    }
}
