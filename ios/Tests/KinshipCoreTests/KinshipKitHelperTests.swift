import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

/// The handwritten helpers on their own (the scenario tests use them on real data too).
final class KinshipKitHelperTests: XCTestCase {
    func testDatesFromCoreStrings() throws {
        let written = try XCTUnwrap(KinshipDates.shared.instant("2026-11-27T17:06:43.996+01:00"))
        XCTAssertEqual(written.timeIntervalSince1970, 1_795_795_603.996, accuracy: 0.001)
        XCTAssertEqual(
            KinshipDates.shared.instant("2099-01-01T17:00:00+00:00"),
            Date(timeIntervalSince1970: 4_070_970_000)
        )
        XCTAssertNil(KinshipDates.shared.instant("yesterday"))
    }

    func testUserMessagesNeverEchoReasons() {
        let secret = "my secret words"
        let errors: [KinshipError] = [
            .InvalidInput(reason: secret),
            .Corrupted(reason: secret),
            .BadBackup(reason: secret),
            .DirectoryUpdateRefused(reason: secret),
            .Remote(status: 500, reason: secret),
            .Storage(reason: secret),
        ]
        for error in errors {
            XCTAssertFalse(error.userMessage.isEmpty)
            XCTAssertFalse(error.userMessage.contains(secret), "\(error)")
        }
    }

    func testActionURLs() {
        let action = DirectoryAction(label: "Text HOME to 741741", uri: "sms:741741?body=HOME", kind: .text, trace: .smsThread, dialByHand: false)
        XCTAssertEqual(action.url?.scheme, "sms")
        XCTAssertNil(PlanContact(name: "Sam", phone: "+44 20 7946 0000").callURL)
        let saved = PlanContact(name: "Sam", phone: "+44 20 7946 0000", actionUri: "tel:+442079460000")
        XCTAssertEqual(saved.callURL?.absoluteString, "tel:+442079460000")
    }

    func testClosureBackupProgressForwards() {
        let log = ProgressLog()
        let progress = ClosureBackupProgress { done, total in
            log.record(done: done, total: total)
        }
        progress.onProgress(done: 1, total: 2)
        progress.onProgress(done: 2, total: 2)
        XCTAssertEqual(log.calls, [ProgressLog.Call(done: 1, total: 2), ProgressLog.Call(done: 2, total: 2)])
    }
}
