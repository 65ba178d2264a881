import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class BackupTests: XCTestCase {
    func testBackupExportImportAndDamagedFile() throws {
        let scratch = try makeScratchDirectory()
        let profile = try KinshipProfile.create(
            dataDir: scratch.appendingPathComponent("phone").path, passphrase: testPassphrase
        )
        for i in 0..<12 {
            try profile.addEntry(body: "backup entry \(i)", tags: ["backup"])
        }
        _ = try profile.setSafetyPlanSection(section: .reasonsForLiving, items: ["My friends"])

        // Export, reporting progress through a closure.
        let log = ProgressLog()
        let progress = ClosureBackupProgress { done, total in
            log.record(done: done, total: total)
        }
        let path = scratch.appendingPathComponent("journal.kinshipbackup").path
        let backupPassphrase = "a long backup passphrase"
        let exported = try profile.exportBackup(path: path, passphrase: backupPassphrase, progress: progress)
        XCTAssertEqual(exported.entries, 12)
        XCTAssertEqual(exported.unreadable, 0)
        let calls = log.calls
        XCTAssertFalse(calls.isEmpty)
        XCTAssertEqual(calls.last, ProgressLog.Call(done: exported.entries, total: exported.entries))

        // A wrong passphrase changes nothing; the right one restores everything.
        let restored = try KinshipProfile.create(
            dataDir: scratch.appendingPathComponent("tablet").path, passphrase: testPassphrase
        )
        XCTAssertThrowsError(
            try restored.importBackup(path: path, passphrase: "not the backup passphrase", progress: nil)
        ) { error in
            guard case KinshipError.WrongPassphrase = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try restored.entryCount(), 0)
        let imported = try restored.importBackup(path: path, passphrase: backupPassphrase, progress: nil)
        XCTAssertEqual(imported.added, exported.entries)
        XCTAssertTrue(imported.safetyPlanRestored)
        XCTAssertEqual(try restored.entryCount(), 12)
        XCTAssertEqual(try restored.getSafetyPlan().reasonsForLiving, ["My friends"])

        // One flipped byte in the middle: refused, nothing imported.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let middle = bytes.index(bytes.startIndex, offsetBy: bytes.count / 2)
        bytes[middle] ^= 0xFF
        let damaged = scratch.appendingPathComponent("damaged.kinshipbackup")
        try bytes.write(to: damaged)
        let third = try KinshipProfile.create(
            dataDir: scratch.appendingPathComponent("laptop").path, passphrase: testPassphrase
        )
        XCTAssertThrowsError(
            try third.importBackup(path: damaged.path, passphrase: backupPassphrase, progress: nil)
        ) { error in
            guard case KinshipError.BadBackup = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try third.entryCount(), 0)
    }
}
