import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class BenchmarkTests: XCTestCase {
    /// Prints `bench ...` lines for the benchmark report (like the Kotlin `ffiCallBenchmark`).
    func testFfiCallBenchmark() throws {
        let profile = try makeProfile()
        for i in 0..<60 {
            try profile.addEntry(body: "body \(i)", title: "Entry \(i)")
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
            XCTAssertEqual(try profile.listEntries(limit: 50).count, 50)
        }
        let list50 = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(runs) / 1000

        print("bench swift_ffi_call_ns \(perCall) ns")
        print("bench swift_list50_us \(String(format: "%.1f", list50)) us")
    }
}
