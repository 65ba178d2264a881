import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

final class CopingTests: XCTestCase {
    func testCopingLibraryCustomStrategiesAndSuggestions() throws {
        let profile = try makeProfile()
        XCTAssertGreaterThanOrEqual(try profile.listStrategies(category: nil).count, 50)
        let breathing = try profile.listStrategies(category: .breathing)
        XCTAssertFalse(breathing.isEmpty)
        XCTAssertTrue(breathing.allSatisfy { $0.category == .breathing })
        XCTAssertFalse(try profile.searchStrategies(query: "breath").isEmpty)

        // Favourites.
        let libraryId = try XCTUnwrap(breathing.first).id
        try profile.setStrategyFavorite(id: libraryId, favorite: true)
        XCTAssertTrue(try profile.getStrategy(id: libraryId).favorite)
        try profile.setStrategyFavorite(id: libraryId, favorite: false)
        XCTAssertFalse(try profile.getStrategy(id: libraryId).favorite)

        // A strategy of the person's own, edited and tried.
        let custom = try profile.addCustomStrategy(
            strategy: NewStrategy(title: "Call my sister", steps: ["Open contacts", "Call her"])
        )
        XCTAssertTrue(custom.custom)
        XCTAssertEqual(custom.category, .personal)
        XCTAssertEqual(custom.minutes, 5)
        let edited = try profile.editCustomStrategy(
            id: custom.id,
            edit: StrategyEdit(title: "Call my big sister", minutes: 10)
        )
        XCTAssertEqual(edited.title, "Call my big sister")
        XCTAssertEqual(edited.minutes, 10)
        XCTAssertEqual(edited.steps, ["Open contacts", "Call her"])
        let attempt = try profile.logCopingTry(
            attempt: NewCopingTry(strategyId: custom.id, distressBefore: 7, distressAfter: 3)
        )
        XCTAssertEqual(try profile.listCopingTries(strategyId: custom.id).map(\.id), [attempt.id])
        XCTAssertEqual(try profile.listCopingTries(strategyId: nil).count, 1)
        let allStats = try profile.strategyStats()
        let stats = try XCTUnwrap(allStats.first(where: { $0.id == custom.id }))
        XCTAssertEqual(stats.timesTried, 1)
        XCTAssertEqual(stats.meanChange, -4, accuracy: 1e-9)

        // Suggestions: strategies when calm, the safety plan or crisis help first when not.
        let calm = try profile.suggestStrategies(distress: 3, contexts: [.anxious], limit: 5)
        XCTAssertFalse(calm.isEmpty)
        XCTAssertTrue(calm.allSatisfy { $0.kind == .strategy })
        let urgent = try profile.suggestStrategies(distress: 9, contexts: [], limit: 5)
        let first = try XCTUnwrap(urgent.first)
        XCTAssertTrue(first.kind == .safetyPlan || first.kind == .crisis, "\(first.kind)")
        XCTAssertThrowsError(try profile.suggestStrategies(distress: 11, contexts: [], limit: 5)) { error in
            guard case KinshipError.InvalidInput = error else { return XCTFail("\(error)") }
        }

        // Deleting a custom strategy deletes its tries.
        try profile.deleteCustomStrategy(id: custom.id)
        XCTAssertThrowsError(try profile.getStrategy(id: custom.id)) { error in
            guard case KinshipError.NotFound = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try profile.listCopingTries(strategyId: nil).count, 0)
    }
}
