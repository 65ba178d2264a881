import Foundation
import KinshipCore

extension KinshipProfile {
    /// Adds a journal entry; only the body is required.
    ///
    ///     try profile.addEntry(body: "Went to the group tonight", mood: 4, tags: ["group"])
    ///
    /// - Parameters:
    ///   - mood: 1 (very low) to 5 (very good); anything else throws `KinshipError.InvalidInput`.
    ///   - strategyIds: Coping strategies used (ids from `listStrategies(category:)`).
    /// - Returns: The saved entry, with its id and timestamps.
    @discardableResult
    public func addEntry(
        body: String,
        title: String? = nil,
        mood: UInt8? = nil,
        tags: [String] = [],
        strategyIds: [String] = []
    ) throws -> JournalEntry {
        try addEntry(entry: NewJournalEntry(
            title: title, body: body, mood: mood, tags: tags, strategyIds: strategyIds
        ))
    }
}
