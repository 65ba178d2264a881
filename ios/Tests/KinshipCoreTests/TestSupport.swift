import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

/// The passphrase of every test profile, as the UTF-8 bytes the API takes.
let testPassphrase = Data("a long swift passphrase".utf8)

extension XCTestCase {
    /// A new, empty folder under the temporary directory, removed when the test ends.
    func makeScratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("kinship-swift-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock {
            try? FileManager.default.removeItem(at: url)
        }
        return url
    }

    /// A new, unlocked profile in its own scratch folder.
    func makeProfile() async throws -> KinshipProfile {
        let dir = try makeScratchDirectory().appendingPathComponent("profile", isDirectory: true)
        return try await createProfile(dataDir: dir.path, passphrase: testPassphrase)
    }

    /// Asserts that `body` throws a `KinshipError` and hands it to `check`.
    func assertKinshipError<T>(
        _ body: @autoclosure () throws -> T,
        file: StaticString = #filePath,
        line: UInt = #line,
        _ check: (KinshipError) -> Void = { _ in }
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? KinshipError else {
                return XCTFail("not a KinshipError: \(error)", file: file, line: line)
            }
            check(error)
        }
    }

    /// `assertKinshipError` for an async call.
    func assertKinshipErrorAsync<T>(
        file: StaticString = #filePath,
        line: UInt = #line,
        _ body: () async throws -> T,
        _ check: (KinshipError) -> Void = { _ in }
    ) async {
        do {
            _ = try await body()
            XCTFail("expected a KinshipError", file: file, line: line)
        } catch let error as KinshipError {
            check(error)
        } catch {
            XCTFail("not a KinshipError: \(error)", file: file, line: line)
        }
    }
}

/// Progress reports, recorded from whichever thread makes them.
final class ProgressLog: @unchecked Sendable {
    struct Call: Equatable {
        let done: Int32
        let total: Int32
    }

    private let lock = NSLock()
    private var recorded: [Call] = []

    func record(done: Int32, total: Int32) {
        lock.lock()
        defer { lock.unlock() }
        recorded.append(Call(done: done, total: total))
    }

    var calls: [Call] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }
}

/// A sink that keeps the bytes in memory and records how it ended.
final class RecordingSink: BackupSink, @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var finishedCount = 0
    private var abandonedCount = 0

    func write(bytes: Data) throws {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(bytes)
    }

    func finish() throws {
        lock.lock()
        defer { lock.unlock() }
        finishedCount += 1
    }

    func abandon() {
        lock.lock()
        defer { lock.unlock() }
        abandonedCount += 1
    }

    var bytes: Data {
        lock.lock()
        defer { lock.unlock() }
        return buffer
    }

    var finished: Int {
        lock.lock()
        defer { lock.unlock() }
        return finishedCount
    }

    var abandoned: Int {
        lock.lock()
        defer { lock.unlock() }
        return abandonedCount
    }
}
