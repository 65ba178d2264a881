import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

/// The passphrase of every test profile.
let testPassphrase = "a long swift passphrase"

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
    func makeProfile() throws -> KinshipProfile {
        let dir = try makeScratchDirectory().appendingPathComponent("profile", isDirectory: true)
        return try KinshipProfile.create(dataDir: dir.path, passphrase: testPassphrase)
    }
}

/// Progress reports, recorded from whichever thread makes them.
final class ProgressLog: @unchecked Sendable {
    struct Call: Equatable {
        let done: UInt32
        let total: UInt32
    }

    private let lock = NSLock()
    private var recorded: [Call] = []

    func record(done: UInt32, total: UInt32) {
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
