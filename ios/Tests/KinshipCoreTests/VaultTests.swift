import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class VaultTests: XCTestCase {
    func testVaultLifecycle() throws {
        let dir = try makeScratchDirectory().path
        XCTAssertFalse(profileExists(dataDir: dir))
        XCTAssertThrowsError(try KinshipProfile.open(dataDir: dir)) { error in
            guard case KinshipError.NotInitialized = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try KinshipProfile.create(dataDir: dir, passphrase: "short")) { error in
            guard case KinshipError.WeakPassphrase = error else { return XCTFail("\(error)") }
        }
        let profile = try KinshipProfile.create(dataDir: dir, passphrase: testPassphrase)
        XCTAssertTrue(profileExists(dataDir: dir))
        XCTAssertTrue(profile.isUnlocked())

        // Add, get, update, delete.
        let entry = try profile.addEntry(body: "written from Swift", title: "Hello", mood: 4, tags: ["ios"])
        XCTAssertEqual(try profile.getEntry(id: entry.id), entry)
        XCTAssertNotNil(entry.createdDate)
        let edited = try profile.updateEntry(
            id: entry.id,
            entry: NewJournalEntry(title: "Hello again", body: "edited in Swift", mood: 5, tags: ["ios", "edit"])
        )
        XCTAssertEqual(edited.id, entry.id)
        XCTAssertEqual(edited.title, "Hello again")
        XCTAssertEqual(edited.mood, 5)
        XCTAssertEqual(edited.createdAt, entry.createdAt)
        XCTAssertEqual(try profile.getEntry(id: entry.id), edited)
        XCTAssertThrowsError(try profile.addEntry(body: "x", mood: 9)) { error in
            guard case KinshipError.InvalidInput(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("mood"), reason)
        }
        try profile.deleteEntry(id: entry.id)
        XCTAssertThrowsError(try profile.getEntry(id: entry.id)) { error in
            guard case KinshipError.NotFound = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try profile.entryCount(), 0)

        // Lock and unlock with the passphrase.
        profile.lock()
        XCTAssertFalse(profile.isUnlocked())
        XCTAssertThrowsError(try profile.listEntries(limit: 10)) { error in
            guard case KinshipError.Locked = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try profile.unlock(passphrase: "not the passphrase")) { error in
            guard case KinshipError.WrongPassphrase = error else { return XCTFail("\(error)") }
        }
        try profile.unlock(passphrase: testPassphrase)

        // The device key (kept in the Keychain, for Face ID / Touch ID unlock).
        let deviceKey = Data(repeating: 7, count: 32)
        XCTAssertFalse(try profile.hasDeviceKey())
        try profile.enableDeviceKey(passphrase: testPassphrase, deviceKey: deviceKey)
        XCTAssertTrue(try profile.hasDeviceKey())
        profile.lock()
        XCTAssertThrowsError(try profile.unlockWithDeviceKey(deviceKey: Data(repeating: 8, count: 32))) { error in
            guard case KinshipError.WrongDeviceKey = error else { return XCTFail("\(error)") }
        }
        try profile.unlockWithDeviceKey(deviceKey: deviceKey)
        XCTAssertTrue(profile.isUnlocked())
        try profile.disableDeviceKey()
        XCTAssertFalse(try profile.hasDeviceKey())

        // Auto-lock.
        profile.setAutoLockSeconds(seconds: 1)
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertFalse(profile.isUnlocked())
        profile.setAutoLockSeconds(seconds: nil)

        // A new passphrase replaces the old one.
        try profile.unlock(passphrase: testPassphrase)
        try profile.changePassphrase(old: testPassphrase, new: "another long passphrase")
        profile.lock()
        XCTAssertThrowsError(try profile.unlock(passphrase: testPassphrase)) { error in
            guard case KinshipError.WrongPassphrase = error else { return XCTFail("\(error)") }
        }
        try profile.unlock(passphrase: "another long passphrase")
        XCTAssertTrue(profile.isUnlocked())

        // Quick erase leaves nothing to open.
        try profile.quickErase()
        XCTAssertFalse(profileExists(dataDir: dir))
        XCTAssertThrowsError(try profile.listEntries(limit: 10)) { error in
            guard case KinshipError.Erased = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try KinshipProfile.open(dataDir: dir)) { error in
            guard case KinshipError.NotInitialized = error else { return XCTFail("\(error)") }
        }
    }
}
