import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class BackupTests: XCTestCase {
    private let backupPassphrase = Data("a long backup passphrase".utf8)

    /// A profile with `entries` journal entries and a safety plan.
    private func filledProfile(entries: Int) async throws -> KinshipProfile {
        let profile = try await makeProfile()
        let journal = profile.journal()
        for i in 0..<entries {
            _ = try journal.add(entry: NewJournalEntry(body: "backup entry \(i)", tags: ["backup"]))
        }
        _ = try profile.safetyPlan().setSection(section: .reasonsForLiving, items: ["My friends"])
        return profile
    }

    func testPathExportImportWrongPassphraseAndDamagedFile() async throws {
        let scratch = try makeScratchDirectory()
        let profile = try await filledProfile(entries: 12)

        // Export to a file, reporting progress through a closure.
        let log = ProgressLog()
        let progress = ClosureBackupProgress { done, total in log.record(done: done, total: total) }
        let url = scratch.appendingPathComponent("journal.kinshipbackup")
        let exported = try await profile.backups().export(to: url, passphrase: backupPassphrase, progress: progress)
        XCTAssertEqual(exported.entries, 12)
        XCTAssertEqual(exported.unreadable, 0)
        XCTAssertEqual(log.calls.last, ProgressLog.Call(done: exported.entries, total: exported.entries))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["journal.kinshipbackup"])
        let sealed = try Data(contentsOf: url)
        XCTAssertNil(sealed.range(of: Data("backup entry".utf8)), "the backup is encrypted")

        // A wrong passphrase changes nothing; the right one restores everything.
        let restored = try await makeProfile()
        await assertKinshipErrorAsync({
            try await restored.backups().importBackup(from: url, passphrase: Data("not the backup passphrase".utf8))
        }) { error in
            guard case .WrongPassphrase = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try restored.journal().count(), 0)
        let imported = try await restored.backups().importBackup(from: url, passphrase: backupPassphrase)
        XCTAssertEqual(imported.added, exported.entries)
        XCTAssertTrue(imported.safetyPlanRestored)
        XCTAssertEqual(try restored.journal().count(), 12)
        XCTAssertEqual(try restored.safetyPlan().get().reasonsForLiving, ["My friends"])

        // The generated path calls read the same file.
        let again = try await makeProfile()
        let viaPath = try await again.backups().importFromPath(path: url.path, passphrase: backupPassphrase, progress: nil)
        XCTAssertEqual(viaPath.added, 12)

        // One flipped byte in the middle: refused, nothing imported.
        var bytes = sealed
        let middle = bytes.index(bytes.startIndex, offsetBy: bytes.count / 2)
        bytes[middle] ^= 0xFF
        let damaged = scratch.appendingPathComponent("damaged.kinshipbackup")
        try bytes.write(to: damaged)
        let third = try await makeProfile()
        await assertKinshipErrorAsync({
            try await third.backups().importBackup(from: damaged, passphrase: backupPassphrase)
        }) { error in
            guard case .BadBackup = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try third.journal().count(), 0)
    }

    func testStreamAndFileHandleRoundTrips() async throws {
        let profile = try await filledProfile(entries: 5)

        // In memory: OutputStream to InputStream.
        let output = OutputStream.toMemory()
        let exported = try await profile.backups().export(to: OutputStreamBackupSink(output), passphrase: backupPassphrase)
        XCTAssertEqual(exported.entries, 5)
        let bytes = try XCTUnwrap(output.property(forKey: .dataWrittenToMemoryStreamKey) as? Data)
        XCTAssertFalse(bytes.isEmpty)
        let fromStream = try await makeProfile()
        let imported = try await fromStream.backups().importBackup(
            from: InputStreamBackupSource(InputStream(data: bytes)), passphrase: backupPassphrase
        )
        XCTAssertEqual(imported.added, 5)
        XCTAssertEqual(try fromStream.journal().count(), 5)

        // A FileHandle the app opened (as a document picker's file would be).
        let url = try makeScratchDirectory().appendingPathComponent("picked.kinshipbackup")
        XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: nil))
        let sink = FileHandleBackupSink(try FileHandle(forWritingTo: url))
        _ = try await profile.backups().exportToSink(sink: sink, passphrase: backupPassphrase, progress: nil)
        XCTAssertEqual(try Data(contentsOf: url).count, bytes.count)
        let fromFile = try await makeProfile()
        let source = try FileHandleBackupSource(url: url)
        let fromHandle = try await fromFile.backups().importFromSource(source: source, passphrase: backupPassphrase, progress: nil)
        XCTAssertEqual(fromHandle.added, 5)
    }

    func testCancellingTheExportTaskLeavesNoFile() async throws {
        let profile = try await filledProfile(entries: 200)
        let folder = try makeScratchDirectory()
        let url = folder.appendingPathComponent("cancelled.kinshipbackup")
        let backups = profile.backups()
        let passphrase = backupPassphrase

        let progress = CancelOnFirstProgress()
        let task = Task { try await backups.export(to: url, passphrase: passphrase, progress: progress) }
        progress.attach { task.cancel() }

        // The task ends only once the core's work has stopped.
        let result = await task.result
        switch result {
        case .success:
            XCTFail("the export was cancelled from its first progress report")
        case let .failure(error):
            guard case KinshipError.Cancelled = error else { return XCTFail("\(error)") }
            XCTAssertEqual((error as? KinshipError)?.userMessage, "Stopped. Nothing was changed.")
        }
        XCTAssertGreaterThanOrEqual(progress.reports, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "no temporary file either")
    }

    func testCancellingASinkExportAbandonsTheSink() async throws {
        let profile = try await filledProfile(entries: 200)
        let backups = profile.backups()
        let passphrase = backupPassphrase
        let sink = RecordingSink()

        let progress = CancelOnFirstProgress()
        let task = Task { try await backups.export(to: sink, passphrase: passphrase, progress: progress) }
        progress.attach { task.cancel() }

        let result = await task.result
        guard case let .failure(error) = result, case KinshipError.Cancelled = error else {
            return XCTFail("\(result)")
        }
        XCTAssertEqual(sink.abandoned, 1)
        XCTAssertEqual(sink.finished, 0)
        XCTAssertTrue(sink.bytes.isEmpty)
    }

    func testCancellingAnImportWhileReadingImportsNothing() async throws {
        let profile = try await filledProfile(entries: 20)
        let output = OutputStream.toMemory()
        _ = try await profile.backups().export(to: OutputStreamBackupSink(output), passphrase: backupPassphrase)
        let bytes = try XCTUnwrap(output.property(forKey: .dataWrittenToMemoryStreamKey) as? Data)

        let target = try await makeProfile()
        let backups = target.backups()
        let passphrase = backupPassphrase
        let source = CancelOnFirstRead(InputStreamBackupSource(InputStream(data: bytes)))
        let task = Task { try await backups.importBackup(from: source, passphrase: passphrase) }
        source.attach { task.cancel() }

        let result = await task.result
        guard case let .failure(error) = result, case KinshipError.Cancelled = error else {
            return XCTFail("\(result)")
        }
        XCTAssertEqual(try target.journal().count(), 0)
        XCTAssertTrue(try target.safetyPlan().get().reasonsForLiving.isEmpty)
    }

    func testAnExportRefusedBeforeItsFirstByteLeavesNothing() async throws {
        let profile = try await filledProfile(entries: 1)
        let notUTF8 = Data([0xFF, 0xFE])
        let sink = RecordingSink()
        await assertKinshipErrorAsync({ try await profile.backups().export(to: sink, passphrase: notUTF8) }) { error in
            guard case let .InvalidInput(field, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "passphrase")
        }
        XCTAssertEqual(sink.abandoned, 1, "the app's sink is told to clean up")
        XCTAssertEqual(sink.finished, 0)

        let folder = try makeScratchDirectory()
        await assertKinshipErrorAsync({
            try await profile.backups().export(to: folder.appendingPathComponent("refused.kinshipbackup"), passphrase: notUTF8)
        })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "no temporary file either")
    }

    func testACancelledTaskDoesNotStartAnExport() async throws {
        let profile = try await filledProfile(entries: 1)
        let sink = RecordingSink()
        let backups = profile.backups()
        let passphrase = backupPassphrase
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await backups.export(to: sink, passphrase: passphrase)
        }
        let result = await task.result
        guard case let .failure(error) = result, case KinshipError.Cancelled = error else {
            return XCTFail("\(result)")
        }
        XCTAssertEqual(sink.finished, 0)
        XCTAssertEqual(sink.abandoned, 1)
    }
}

/// Cancels the task it is attached to at the first progress report (or at once, if that
/// report came before the task was attached).
final class CancelOnFirstProgress: BackupProgress, @unchecked Sendable {
    private let lock = NSLock()
    private var cancel: (() -> Void)?
    private var requested = false
    private var count = 0

    func attach(_ cancel: @escaping () -> Void) {
        lock.lock()
        let now = requested
        if !now {
            self.cancel = cancel
        }
        lock.unlock()
        if now {
            cancel()
        }
    }

    func onProgress(done: Int32, total: Int32) {
        lock.lock()
        count += 1
        let first = !requested
        requested = true
        let cancel = self.cancel
        lock.unlock()
        if first {
            cancel?()
        }
    }

    var reports: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}

/// A source that cancels the task it is attached to at its first read, then reads on.
final class CancelOnFirstRead: BackupSource, @unchecked Sendable {
    private let base: BackupSource
    private let progress = CancelOnFirstProgress()

    init(_ base: BackupSource) {
        self.base = base
    }

    func attach(_ cancel: @escaping () -> Void) {
        progress.attach(cancel)
    }

    func read(maxBytes: Int32) throws -> Data {
        progress.onProgress(done: 0, total: 0)
        return try base.read(maxBytes: maxBytes)
    }
}
