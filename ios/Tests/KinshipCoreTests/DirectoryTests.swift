import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class DirectoryTests: XCTestCase {
    func testCountryCodesAreChecked() throws {
        XCTAssertEqual(try CountryCode(code: "de").alpha2(), "DE")
        XCTAssertEqual(try CountryCode(code: "DE"), try CountryCode(code: "de"))
        for bad in ["Germany", "ZZ", "D", ""] {
            assertKinshipError(try CountryCode(code: bad)) { error in
                guard case let .InvalidInput(field, problem, _) = error else { return XCTFail("\(bad): \(error)") }
                XCTAssertEqual(field, "country")
                XCTAssertEqual(problem, .malformed)
                XCTAssertEqual(error.userMessage, "The country doesn't look right. Please check it.")
            }
        }
        XCTAssertEqual(CountryCode.currentRegion(Locale(identifier: "pt_PT"))?.alpha2(), "PT")
        XCTAssertNil(CountryCode.currentRegion(Locale(identifier: "es_419")))
    }

    func testCrisisContactsNeedNoProfile() throws {
        let dataDir = try makeScratchDirectory().path
        let help = try crisisContacts(dataDir: dataDir, country: CountryCode(code: "US"))
        XCTAssertTrue(help.hasCountryData)
        XCTAssertTrue(help.hasCrisisLine)
        let emergency = try XCTUnwrap(help.contacts.first)
        XCTAssertEqual(emergency.kind, .emergency)
        XCTAssertEqual(emergency.action.uri, "tel:911")
        XCTAssertEqual(emergency.action.url?.scheme, "tel")
        XCTAssertTrue(help.contacts.contains { $0.action.uri == "tel:988" })
        XCTAssertTrue(help.contacts.allSatisfy { $0.sourceUrl.hasPrefix("https://") })
        XCTAssertTrue(help.contacts.allSatisfy { $0.action.tap != nil })
        XCTAssertTrue(help.contacts.allSatisfy { DateComponents(localDate: $0.verifiedOn) != nil })
        for contact in help.contacts where contact.openNow == false {
            if let opensAt = contact.opensAt {
                XCTAssertGreaterThan(opensAt, Date(), contact.id)
            }
        }

        let unknown = try crisisContacts(dataDir: dataDir, country: CountryCode(code: "AQ"))
        XCTAssertFalse(unknown.hasCountryData)
        XCTAssertTrue(unknown.advice?.contains("112") ?? false, "\(String(describing: unknown.advice))")
    }

    func testPublicDirectorySearchAndUpdates() throws {
        let directory = try KinshipDirectory.open(dataDir: makeScratchDirectory().path)
        let version = directory.version()
        XCTAssertGreaterThan(version, 0)
        let us = try CountryCode(code: "US")
        XCTAssertTrue(directory.countries().contains(us))
        XCTAssertEqual(directory.crisisContacts(country: us).contacts.first?.action.uri, "tel:911")

        let hits = try directory.search(query: DirectoryQuery(country: us))
        XCTAssertFalse(hits.isEmpty)
        for hit in hits {
            XCTAssertFalse(hit.actions.isEmpty, hit.entry.id)
            XCTAssertTrue(hit.actions.allSatisfy { $0.tap != nil }, hit.entry.id)
            XCTAssertFalse(hit.isPrivate, hit.entry.id)
        }
        let texts = try directory.search(query: DirectoryQuery(country: us, channel: .sms))
        XCTAssertTrue(texts.allSatisfy { $0.entry.smsNumber != nil }, "\(texts.map(\.entry.id))")
        let first = try XCTUnwrap(hits.first)
        XCTAssertEqual(directory.get(id: first.entry.id), first.entry)
        XCTAssertNil(directory.get(id: "no-such-entry"))
        assertKinshipError(try directory.search(query: DirectoryQuery(limit: -1))) { error in
            guard case let .InvalidInput(field, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "limit")
        }

        // A bundle that does not verify changes nothing.
        assertKinshipError(try directory.installBundle(bundle: Data("garbage".utf8))) { error in
            guard case .DirectoryUpdateRefused = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(directory.version(), version)
    }

    func testPrivateEntriesAndReports() async throws {
        let profile = try await makeProfile()
        let publicDirectory = try KinshipDirectory.open(dataDir: makeScratchDirectory().path)
        let directory = profile.directory(public: publicDirectory)

        // The person's own sealed entries are searched with the public ones.
        let rivera = try directory.addPrivateEntry(entry: NewPrivateEntry(name: "Dr. Rivera", phone: "+1 415 555 0100"))
        XCTAssertEqual(rivera.phoneE164, "+14155550100")
        XCTAssertFalse("\(rivera)".contains("Rivera"))
        let found = try directory.search(query: DirectoryQuery(text: "Rivera"))
        let mine = try XCTUnwrap(found.first(where: { $0.entry.id == rivera.id }))
        XCTAssertTrue(mine.isPrivate)
        XCTAssertEqual(mine.actions.map(\.uri), ["tel:+14155550100"])
        XCTAssertTrue(try publicDirectory.search(query: DirectoryQuery(text: "Rivera")).allSatisfy { !$0.isPrivate })
        let renamed = try directory.updatePrivateEntry(id: rivera.id, entry: NewPrivateEntry(name: "Dr. Rivera-Lopez", phone: "+1 415 555 0100"))
        XCTAssertEqual(renamed.name, "Dr. Rivera-Lopez")
        XCTAssertEqual(try directory.privateEntries().map(\.id), [rivera.id])
        try directory.removePrivateEntry(id: rivera.id)
        XCTAssertTrue(try directory.privateEntries().isEmpty)
        XCTAssertFalse(try directory.search(query: DirectoryQuery(text: "Rivera")).contains { $0.isPrivate })

        // "This number didn't work" waits, sealed, for the next sync.
        let us = try CountryCode(code: "US")
        let line = try XCTUnwrap(directory.crisisContacts(country: us).contacts.first)
        try directory.reportDirectoryEntry(entryId: line.id, problem: .didNotConnect, note: nil)
        XCTAssertEqual(try directory.queuedDirectoryReports().map(\.entryId), [line.id])
        XCTAssertEqual(try directory.queuedDirectoryReports().first?.problem, .didNotConnect)
        profile.lock()
        assertKinshipError(try directory.queuedDirectoryReports()) { error in
            guard case .Locked = error else { return XCTFail("\(error)") }
        }
        // Crisis contacts need no unlock, even through the profile's directory.
        XCTAssertEqual(directory.crisisContacts(country: us).contacts.first?.action.uri, "tel:911")
    }
}
