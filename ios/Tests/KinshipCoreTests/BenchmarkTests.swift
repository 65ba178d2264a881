import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class BenchmarkTests: XCTestCase {
    /// Prints `bench ...` lines for the benchmark report (like the Kotlin `ffiCallBenchmark`).
    func testFfiCallBenchmark() async throws {
        let profile = try await makeProfile()
        let journal = profile.journal()
        for i in 0..<60 {
            _ = try journal.add(entry: NewJournalEntry(title: "Entry \(i)", body: "body \(i)"))
        }

        let calls = 100_000
        var unlocked = 0
        var start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls {
            if profile.isUnlocked() {
                unlocked += 1
            }
        }
        let perCall = (DispatchTime.now().uptimeNanoseconds - start) / UInt64(calls)
        XCTAssertEqual(unlocked, calls)

        let runs = 200
        start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<runs {
            XCTAssertEqual(try journal.list(filter: JournalFilter(), limit: 50, cursor: nil).entries.count, 50)
        }
        let list50 = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(runs) / 1000

        print("bench swift_ffi_call_ns \(perCall) ns")
        print("bench swift_list50_us \(String(format: "%.1f", list50)) us")
    }
}
