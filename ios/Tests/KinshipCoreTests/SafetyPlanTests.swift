import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class SafetyPlanTests: XCTestCase {
    func testSafetyPlanSectionsContactsAndPersistence() throws {
        let profile = try makeProfile()
        let empty = try profile.getSafetyPlan()
        XCTAssertTrue(empty.warningSigns.isEmpty)
        XCTAssertTrue(empty.helpContacts.isEmpty)
        XCTAssertTrue(empty.reasonsForLiving.isEmpty)
        XCTAssertNil(empty.updatedAt)

        let withSigns = try profile.setSafetyPlanSection(
            section: .warningSigns,
            items: ["Not sleeping", "  ", "Skipping meals"]
        )
        XCTAssertEqual(withSigns.warningSigns, ["Not sleeping", "Skipping meals"])
        XCTAssertNotNil(withSigns.updatedAt)

        // Contacts: the number is kept as typed, the tel: URI is computed.
        let sam = try profile.addSafetyPlanContact(name: "Sam", phone: "+44 20 7946 0000")
        XCTAssertEqual(sam.phone, "+44 20 7946 0000")
        XCTAssertEqual(sam.actionUri, "tel:+442079460000")
        XCTAssertEqual(sam.callURL, URL(string: "tel:+442079460000"))
        XCTAssertThrowsError(try profile.addSafetyPlanContact(name: "Sam", phone: "call me")) { error in
            guard case KinshipError.InvalidInput = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try profile.getSafetyPlan().helpContacts, [sam])
        XCTAssertTrue(try profile.removeSafetyPlanContact(index: 0).helpContacts.isEmpty)

        // The whole plan at once.
        let plan = SafetyPlan(
            warningSigns: ["Racing thoughts"],
            internalCoping: ["box-breathing"],
            distractions: ["The library"],
            helpContacts: [PlanContact(name: "Alex", phone: "+1 415 555 0100")],
            professionals: ["Dr. Rivera"],
            safeEnvironment: ["Give the pills to Alex"],
            reasonsForLiving: ["My cat"]
        )
        let saved = try profile.replaceSafetyPlan(plan: plan)
        XCTAssertEqual(saved.reasonsForLiving, ["My cat"])
        XCTAssertEqual(saved.helpContacts.first?.actionUri, "tel:+14155550100")
        let sections: [SafetyPlanSection] = [
            .warningSigns, .internalCoping, .distractions, .professionals, .safeEnvironment, .reasonsForLiving,
        ]
        for section in sections {
            XCTAssertFalse(safetyPlanHeading(section: section).isEmpty, "\(section)")
        }

        // Sealed in the vault: unreadable while locked, unchanged after unlocking.
        profile.lock()
        XCTAssertThrowsError(try profile.getSafetyPlan()) { error in
            guard case KinshipError.Locked = error else { return XCTFail("\(error)") }
        }
        try profile.unlock(passphrase: testPassphrase)
        XCTAssertEqual(try profile.getSafetyPlan(), saved)
    }
}
