import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class CopingTests: XCTestCase {
    func testLibraryFavouritesCustomStrategiesAndTries() async throws {
        let coping = try await makeProfile().coping()
        XCTAssertGreaterThanOrEqual(try coping.list(category: nil).count, 50)
        let breathing = try coping.list(category: .breathing)
        XCTAssertFalse(breathing.isEmpty)
        XCTAssertTrue(breathing.allSatisfy { $0.category == .breathing && !$0.custom })
        XCTAssertFalse(try coping.search(query: "breath").isEmpty)

        // Favourites.
        let libraryId = try XCTUnwrap(breathing.first).id
        try coping.setFavorite(id: libraryId, favorite: true)
        XCTAssertTrue(try coping.get(id: libraryId).favorite)
        try coping.setFavorite(id: libraryId, favorite: false)
        XCTAssertFalse(try coping.get(id: libraryId).favorite)

        // A built-in strategy cannot be edited.
        assertKinshipError(try coping.editCustom(id: libraryId, edit: StrategyEdit(title: "Mine now"))) { error in
            guard case let .InvalidInput(_, problem, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(problem, .notAllowed)
            XCTAssertFalse(error.userMessage.isEmpty)
        }

        // A strategy of the person's own, edited and tried.
        let custom = try coping.addCustom(strategy: NewStrategy(title: "Call my sister", steps: ["Open contacts", "Call her"]))
        XCTAssertTrue(custom.custom)
        XCTAssertEqual(custom.category, .personal)
        XCTAssertEqual(custom.minutes, 5)
        XCTAssertFalse("\(custom)".contains("sister"))
        let edited = try coping.editCustom(id: custom.id, edit: StrategyEdit(title: "Call my big sister", minutes: 10))
        XCTAssertEqual(edited.title, "Call my big sister")
        XCTAssertEqual(edited.minutes, 10)
        XCTAssertEqual(edited.steps, ["Open contacts", "Call her"])
        let attempt = try coping.logTry(attempt: NewCopingTry(strategyId: custom.id, distressBefore: 7, distressAfter: 3))
        XCTAssertLessThan(abs(attempt.at.timeIntervalSinceNow), 60)
        XCTAssertEqual(attempt.loggedTimeZone?.secondsFromGMT(), Int(attempt.utcOffsetSeconds))
        XCTAssertEqual(try coping.tries(strategyId: custom.id).map(\.id), [attempt.id])
        XCTAssertEqual(try coping.tries(strategyId: nil).count, 1)
        let stats = try XCTUnwrap(try coping.stats().first(where: { $0.id == custom.id }))
        XCTAssertEqual(stats.timesTried, 1)
        XCTAssertEqual(stats.meanChange, -4, accuracy: 1e-9)
        assertKinshipError(try coping.logTry(attempt: NewCopingTry(strategyId: custom.id, distressBefore: -1, distressAfter: 3))) { error in
            guard case let .InvalidInput(field, problem, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "distress")
            XCTAssertEqual(problem, .outOfRange)
        }

        // Deleting a custom strategy deletes its tries.
        try coping.deleteCustom(id: custom.id)
        assertKinshipError(try coping.get(id: custom.id)) { error in
            guard case .NotFound = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try coping.tries(strategyId: nil).count, 0)
    }

    func testSuggestionsPutCrisisHelpFirstWithTheCountrysNumbers() async throws {
        let profile = try await makeProfile()
        let coping = profile.coping()
        let planner = profile.safetyPlan()
        _ = try planner.addContact(name: "Sam", phone: "+44 20 7946 0000")
        _ = try planner.addContactWith(contact: PlanContact(name: "Jo", phone: "+44 20 7946 0001", knowsAboutMe: .doesNotKnow, safeInCrisis: false))
        _ = try planner.addContactWith(contact: PlanContact(name: "Alex", phone: "+1 415 555 0100", knowsAboutMe: .knows, safeInCrisis: true))

        let calm = try coping.suggest(distress: 3, contexts: [.anxious], limit: 5, country: nil)
        XCTAssertFalse(calm.isEmpty)
        XCTAssertLessThanOrEqual(calm.count, 5)
        XCTAssertTrue(calm.allSatisfy { $0.kind == .strategy && $0.actions.isEmpty })

        let urgent = try coping.suggest(distress: 9, contexts: [], limit: 3, country: CountryCode(code: "us"))
        let kinds = urgent.map(\.kind)
        XCTAssertEqual(Set(kinds.prefix(2)), [SuggestionKind.crisis, .safetyPlan])
        let crisis = try XCTUnwrap(urgent.first(where: { $0.kind == .crisis }))
        XCTAssertEqual(crisis.actions.first?.uri, "tel:911")
        XCTAssertTrue(crisis.actions.contains { $0.uri == "tel:988" })
        XCTAssertTrue(crisis.actions.allSatisfy { $0.tap != nil })
        let plan = try XCTUnwrap(urgent.first(where: { $0.kind == .safetyPlan }))
        // Those safe to call in a crisis first, then those not marked; never the unsafe ones.
        XCTAssertEqual(plan.actions.map(\.uri), ["tel:+14155550100", "tel:+442079460000"])
        XCTAssertEqual(plan.actions.first?.tap, .open(try XCTUnwrap(URL(string: "tel:+14155550100"))))

        assertKinshipError(try coping.suggest(distress: 11, contexts: [], limit: 5, country: nil)) { error in
            guard case let .InvalidInput(field, problem, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "distress")
            XCTAssertEqual(problem, .outOfRange)
        }
    }
}
