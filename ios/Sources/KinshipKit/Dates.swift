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
    private let local: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter
    }()

    private static func iso8601(_ options: ISO8601DateFormatter.Options) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        return formatter
    }

    /// An RFC 3339 instant such as `2026-11-27T16:06:43.996864379+00:00`, with or without
    /// fractional seconds.
    func instant(_ text: String) -> Date? {
        let trimmed = Self.keepingMilliseconds(text)
        lock.lock()
        defer { lock.unlock() }
        return fractional.date(from: trimmed) ?? wholeSeconds.date(from: trimmed)
    }

    /// A wall-clock `YYYY-MM-DDTHH:MM:SS` in an IANA time zone.
    func wallClock(_ text: String, in zoneIdentifier: String) -> Date? {
        guard let zone = TimeZone(identifier: zoneIdentifier) else { return nil }
        lock.lock()
        defer { lock.unlock() }
        local.timeZone = zone
        return local.date(from: text)
    }

    /// Drops fraction digits after the third: the core writes nanoseconds, Foundation's
    /// ISO 8601 formatter reads milliseconds.
    static func keepingMilliseconds(_ text: String) -> String {
        guard let dot = text.firstIndex(of: ".") else { return text }
        let digits = text.index(after: dot)
        let end = text[digits...].firstIndex { !("0"..."9").contains($0) } ?? text.endIndex
        let kept = text.index(digits, offsetBy: 3, limitedBy: end) ?? end
        return String(text[..<kept]) + text[end...]
    }
}
