import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class VaultTests: XCTestCase {
    func testVaultLifecycle() async throws {
        let dir = try makeScratchDirectory().path
        XCTAssertFalse(profileExists(dataDir: dir))
        assertKinshipError(try KinshipProfile.open(dataDir: dir)) { error in
            guard case .NotInitialized = error else { return XCTFail("\(error)") }
        }
        await assertKinshipErrorAsync({ try await createProfile(dataDir: dir, passphrase: Data("short".utf8)) }) { error in
            guard case .WeakPassphrase = error else { return XCTFail("\(error)") }
        }
        // Not UTF-8: refused as malformed, never guessed at.
        await assertKinshipErrorAsync({ try await createProfile(dataDir: dir, passphrase: Data([0xFF, 0xFE, 0xFD])) }) { error in
            guard case let .InvalidInput(field, problem, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "passphrase")
            XCTAssertEqual(problem, .malformed)
        }
        let profile = try await createProfile(dataDir: dir, passphrase: testPassphrase)
        XCTAssertTrue(profileExists(dataDir: dir))
        XCTAssertTrue(profile.isUnlocked())
        let journal = profile.journal()
        _ = try journal.add(entry: NewJournalEntry(body: "written before locking"))

        // Lock and unlock with the passphrase.
        profile.lock()
        XCTAssertFalse(profile.isUnlocked())
        assertKinshipError(try journal.count()) { error in
            guard case .Locked = error else { return XCTFail("\(error)") }
        }
        await assertKinshipErrorAsync({ try await profile.unlock(passphrase: Data("not the passphrase".utf8)) }) { error in
            guard case .WrongPassphrase = error else { return XCTFail("\(error)") }
        }
        try await profile.unlock(passphrase: testPassphrase)
        XCTAssertEqual(try journal.count(), 1)

        // A second handle on the same folder opens locked.
        let reopened = try KinshipProfile.open(dataDir: dir)
        XCTAssertFalse(reopened.isUnlocked())

        // The device key (kept in the Keychain, for Face ID / Touch ID unlock).
        let deviceKey = Data(repeating: 7, count: 32)
        XCTAssertFalse(try profile.hasDeviceKey())
        try await profile.enableDeviceKey(passphrase: testPassphrase, deviceKey: deviceKey)
        XCTAssertTrue(try profile.hasDeviceKey())
        profile.lock()
        assertKinshipError(try profile.unlockWithDeviceKey(deviceKey: Data(repeating: 8, count: 32))) { error in
            guard case .WrongDeviceKey = error else { return XCTFail("\(error)") }
        }
        try profile.unlockWithDeviceKey(deviceKey: deviceKey)
        XCTAssertTrue(profile.isUnlocked())
        try profile.disableDeviceKey()
        XCTAssertFalse(try profile.hasDeviceKey())

        // Auto-lock: at least one second, or off.
        assertKinshipError(try profile.setAutoLockSeconds(seconds: 0)) { error in
            guard case let .InvalidInput(field, problem, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "seconds")
            XCTAssertEqual(problem, .outOfRange)
        }
        try profile.setAutoLockSeconds(seconds: 1)
        let deadline = Date().addingTimeInterval(5)
        while profile.isUnlocked() && Date() < deadline {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        XCTAssertFalse(profile.isUnlocked())
        try profile.setAutoLockSeconds(seconds: nil)

        // A new passphrase replaces the old one.
        try await profile.unlock(passphrase: testPassphrase)
        let newPassphrase = Data("another long passphrase".utf8)
        try await profile.changePassphrase(old: testPassphrase, new: newPassphrase)
        profile.lock()
        await assertKinshipErrorAsync({ try await profile.unlock(passphrase: testPassphrase) }) { error in
            guard case .WrongPassphrase = error else { return XCTFail("\(error)") }
        }
        try await profile.unlock(passphrase: newPassphrase)
        XCTAssertTrue(profile.isUnlocked())
        XCTAssertEqual(try journal.count(), 1)
    }

    func testQuickEraseLeavesOnlyErased() async throws {
        let dir = try makeScratchDirectory().appendingPathComponent("profile").path
        let profile = try await createProfile(dataDir: dir, passphrase: testPassphrase)
        let journal = profile.journal()
        let safetyPlan = profile.safetyPlan()
        _ = try journal.add(entry: NewJournalEntry(body: "nobody may read this"))
        _ = try safetyPlan.setSection(section: .reasonsForLiving, items: ["My friends"])

        try profile.quickErase()

        // Every handle, old or new, says Erased (not Locked: unlocking cannot help).
        XCTAssertFalse(profileExists(dataDir: dir))
        XCTAssertFalse(profile.isUnlocked())
        assertKinshipError(try journal.count()) { error in
            guard case .Erased = error else { return XCTFail("\(error)") }
            XCTAssertFalse(error.userMessage.isEmpty)
        }
        assertKinshipError(try safetyPlan.get()) { error in
            guard case .Erased = error else { return XCTFail("\(error)") }
        }
        assertKinshipError(try profile.journal().list(filter: JournalFilter(), limit: 10, cursor: nil)) { error in
            guard case .Erased = error else { return XCTFail("\(error)") }
        }
        await assertKinshipErrorAsync({ try await profile.unlock(passphrase: testPassphrase) }) { error in
            guard case .Erased = error else { return XCTFail("\(error)") }
        }
        assertKinshipError(try KinshipProfile.open(dataDir: dir)) { error in
            guard case .NotInitialized = error else { return XCTFail("\(error)") }
        }
        // A new profile can be made in the same place.
        let fresh = try await createProfile(dataDir: dir, passphrase: testPassphrase)
        XCTAssertEqual(try fresh.journal().count(), 0)
    }
}
