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
        let alex = try planner.addContact(name: "Alex", phone: "+1 415 555 0100")
        XCTAssertEqual(try planner.get().helpContacts, [sam, alex])

        // Removed by value: the contact as the screen read it, never by position.
        XCTAssertEqual(try planner.removeContact(contact: sam).helpContacts, [alex])
        assertKinshipError(try planner.removeContact(contact: sam)) { error in
            guard case .NotFound = error else { return XCTFail("\(error)") }
        }

        // The whole plan at once; a contact's action is computed, whatever the screen sent.
        let plan = SafetyPlan(
            warningSigns: ["Racing thoughts"],
            internalCoping: ["box-breathing"],
            distractions: ["The library"],
            helpContacts: [PlanContact(name: "Alex", phone: "+1 415 555 0100")],
            professionals: ["Dr. Rivera"],
            safeEnvironment: ["Give the pills to Alex"],
            reasonsForLiving: ["My cat"]
        )
        let saved = try planner.replace(plan: plan)
        XCTAssertEqual(saved.reasonsForLiving, ["My cat"])
        XCTAssertEqual(saved.helpContacts.first?.action?.uri, "tel:+14155550100")
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
