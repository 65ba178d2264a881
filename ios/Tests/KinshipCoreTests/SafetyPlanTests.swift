import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class SafetyPlanTests: XCTestCase {
    func testSectionsContactsAndPersistence() async throws {
        let profile = try await makeProfile()
        let planner = profile.safetyPlan()
        let empty = try planner.get()
        XCTAssertTrue(empty.warningSigns.isEmpty)
        XCTAssertTrue(empty.helpContacts.isEmpty)
        XCTAssertNil(empty.updatedAt)

        let withSigns = try planner.setSection(section: .warningSigns, items: ["Not sleeping", "  ", "Skipping meals"])
        XCTAssertEqual(withSigns.warningSigns, ["Not sleeping", "Skipping meals"])
        let updatedAt = try XCTUnwrap(withSigns.updatedAt)
        XCTAssertLessThan(abs(updatedAt.timeIntervalSinceNow), 60)
        XCTAssertFalse("\(withSigns)".contains("Not sleeping"))

        // Contacts: the number is kept as typed, the call is the core's one Action.
        let sam = try planner.addContact(name: "Sam", phone: "+44 20 7946 0000")
        XCTAssertEqual(sam.phone, "+44 20 7946 0000")
        let call = try XCTUnwrap(sam.action)
        XCTAssertEqual(call.uri, "tel:+442079460000")
        XCTAssertEqual(call.kind, .call)
        XCTAssertEqual(call.trace, .callLog)
        XCTAssertFalse(call.dialByHand)
        XCTAssertEqual(call.url, URL(string: "tel:+442079460000"))
        XCTAssertEqual(call.traceNotice, "This call will show in your phone's call history.")
        assertKinshipError(try planner.addContact(name: "Sam", phone: "call me")) { error in
            guard case let .InvalidInput(field, problem, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "phone")
            XCTAssertEqual(problem, .malformed)
            XCTAssertEqual(error.userMessage, "The phone number doesn't look right. Please check it.")
        }
        XCTAssertEqual(sam.knowsAboutMe, .unsure)
        XCTAssertNil(sam.safeInCrisis)
        let alex = try planner.addContactWith(
            contact: PlanContact(name: "Alex", phone: "+1 415 555 0100", knowsAboutMe: .knows, safeInCrisis: true)
        )
        XCTAssertEqual(alex.knowsAboutMe, .knows)
        XCTAssertEqual(alex.safeInCrisis, true)
        XCTAssertEqual(alex.action?.uri, "tel:+14155550100", "computed, whatever the screen sent")
        XCTAssertEqual(try planner.get().helpContacts, [sam, alex])

        // Edited by value: what they know, and whether they are safe to call, as the person says.
        let samChanged = try planner.updateContact(
            contact: sam,
            changed: PlanContact(name: "Sam", phone: "+44 20 7946 0000", knowsAboutMe: .doesNotKnow, safeInCrisis: false)
        )
        XCTAssertEqual(samChanged.knowsAboutMe, .doesNotKnow)
        XCTAssertEqual(samChanged.safeInCrisis, false)
        XCTAssertEqual(try planner.get().helpContacts, [samChanged, alex])
        assertKinshipError(try planner.updateContact(contact: PlanContact(name: "Nobody", phone: "+1 415 555 0199", knowsAboutMe: .unsure), changed: sam)) { error in
            guard case .NotFound = error else { return XCTFail("\(error)") }
        }

        // Removed by value: the contact as the screen read it, never by position.
        XCTAssertEqual(try planner.removeContact(contact: samChanged).helpContacts, [alex])
        assertKinshipError(try planner.removeContact(contact: samChanged)) { error in
            guard case .NotFound = error else { return XCTFail("\(error)") }
        }

        // The whole plan at once; a contact's action is computed, whatever the screen sent.
        let plan = SafetyPlan(
            warningSigns: ["Racing thoughts"],
            internalCoping: ["box-breathing"],
            distractions: ["The library"],
            helpContacts: [PlanContact(name: "Alex", phone: "+1 415 555 0100", knowsAboutMe: .knows, safeInCrisis: true)],
            professionals: ["Dr. Rivera"],
            safeEnvironment: ["Give the pills to Alex"],
            reasonsForLiving: ["My cat"]
        )
        let saved = try planner.replace(plan: plan)
        XCTAssertEqual(saved.reasonsForLiving, ["My cat"])
        XCTAssertEqual(saved.helpContacts.first?.action?.uri, "tel:+14155550100")
        XCTAssertEqual(saved.helpContacts.first?.safeInCrisis, true)
        let sections: [SafetyPlanSection] = [
            .warningSigns, .internalCoping, .distractions, .professionals, .safeEnvironment, .reasonsForLiving,
        ]
        XCTAssertEqual(Set(sections.map { safetyPlanHeading(section: $0) }).count, sections.count)

        // Sealed in the vault: unreadable while locked, unchanged after unlocking.
        profile.lock()
        assertKinshipError(try planner.get()) { error in
            guard case .Locked = error else { return XCTFail("\(error)") }
        }
        try await profile.unlock(passphrase: testPassphrase)
        XCTAssertEqual(try planner.get(), saved)
    }
}
