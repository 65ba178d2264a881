import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class DirectoryTests: XCTestCase {
    func testCrisisContactsSearchUpdatesAndPrivateEntries() throws {
        let dataDir = try makeScratchDirectory().path

        // Crisis contacts need no profile, no passphrase and no network.
        let help = try crisisContacts(dataDir: dataDir, country: "US")
        XCTAssertTrue(help.hasCountryData)
        XCTAssertEqual(help.contacts.first?.actionUri, "tel:911")
        XCTAssertEqual(help.contacts.first?.actionURL?.scheme, "tel")
        XCTAssertTrue(help.contacts.contains { $0.actionUri == "tel:988" })
        XCTAssertTrue(help.contacts.allSatisfy { $0.sourceUrl.hasPrefix("https://") })
        XCTAssertTrue(help.contacts.allSatisfy { $0.actionURL != nil })
        XCTAssertThrowsError(try crisisContacts(dataDir: dataDir, country: "Germany")) { error in
            guard case KinshipError.InvalidInput(let field, _) = error, field == "country" else {
                return XCTFail("\(error)")
            }
        }
        let unknown = try crisisContacts(dataDir: dataDir, country: "AQ")
        XCTAssertFalse(unknown.hasCountryData)
        XCTAssertTrue(unknown.advice?.contains("112") ?? false, "\(String(describing: unknown.advice))")

        // The public directory.
        let directory = try KinshipDirectory.open(dataDir: dataDir)
        let version = directory.version()
        XCTAssertGreaterThan(version, 0)
        XCTAssertTrue(directory.countries().contains("US"))
        let hits = directory.search(query: DirectoryQuery(country: "US"))
        XCTAssertFalse(hits.isEmpty)
        for hit in hits {
            XCTAssertFalse(hit.actions.isEmpty, hit.entry.id)
            XCTAssertTrue(hit.actions.allSatisfy { $0.url != nil }, hit.entry.id)
            XCTAssertFalse(hit.isPrivate, hit.entry.id)
        }
        let first = try XCTUnwrap(hits.first)
        XCTAssertEqual(directory.get(id: first.entry.id), first.entry)
        XCTAssertNil(directory.get(id: "no-such-entry"))

        // A bundle that does not verify changes nothing.
        XCTAssertThrowsError(try directory.installBundle(bundle: Data("garbage".utf8))) { error in
            guard case KinshipError.DirectoryUpdateRefused = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(directory.version(), version)

        // The person's own sealed entries are searched with the public ones.
        let profile = try makeProfile()
        let rivera = try profile.addPrivateEntry(entry: NewPrivateEntry(name: "Dr. Rivera", phone: "+1 415 555 0100"))
        XCTAssertEqual(rivera.phoneE164, "+14155550100")
        let found = try profile.searchDirectory(directory: directory, query: DirectoryQuery(text: "Rivera"))
        let mine = try XCTUnwrap(found.first(where: { $0.entry.id == rivera.id }))
        XCTAssertTrue(mine.isPrivate)
        XCTAssertEqual(mine.actions.map(\.uri), ["tel:+14155550100"])
        XCTAssertEqual(try profile.privateEntries().map(\.id), [rivera.id])
        try profile.removePrivateEntry(id: rivera.id)
        XCTAssertTrue(try profile.privateEntries().isEmpty)
        let afterRemoval = try profile.searchDirectory(directory: directory, query: DirectoryQuery(text: "Rivera"))
        XCTAssertFalse(afterRemoval.contains { $0.isPrivate })
    }
}
