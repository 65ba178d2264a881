import Foundation
import KinshipCore

extension JournalEntry {
    /// When the entry was written (`createdAt`, RFC 3339 with the writer's UTC offset).
    public var createdDate: Date? { KinshipDates.shared.instant(createdAt) }

    /// When the entry was last edited.
    public var updatedDate: Date? { KinshipDates.shared.instant(updatedAt) }
}

extension GroupEvent {
    /// The event's start as an instant (from `startsAtUtc`), for sorting and reminders.
    /// `nil` when the organizer's time zone is unknown.
    public var startDate: Date? { startsAtUtc.flatMap { KinshipDates.shared.instant($0) } }

    /// The event's end as an instant (from `endsAtUtc`).
    public var endDate: Date? { endsAtUtc.flatMap { KinshipDates.shared.instant($0) } }

    /// The organizer's time zone, to show the event's times as they set them.
    public var eventTimeZone: TimeZone? { TimeZone(identifier: timeZone) }
}

/// Parses the core's date strings. Foundation's formatters are not `Sendable`, so one lock
/// serialises their use; the formatters are built once.
final class KinshipDates: @unchecked Sendable {
    static let shared = KinshipDates()

    private let lock = NSLock()
    private let fractional = KinshipDates.iso8601([.withInternetDateTime, .withFractionalSeconds])
    private let wholeSeconds = KinshipDates.iso8601([.withInternetDateTime])

    private static func iso8601(_ options: ISO8601DateFormatter.Options) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        return formatter
    }

    /// An RFC 3339 instant as the core writes it (`2026-11-27T16:06:43.996+00:00`, with
    /// milliseconds), or without fractional seconds.
    func instant(_ text: String) -> Date? {
        lock.lock()
        defer { lock.unlock() }
        return fractional.date(from: text) ?? wholeSeconds.date(from: text)
    }
}
