import Foundation
import KinshipCore

// The core's calendar types as Foundation's. Instants already cross as `Date`; what crosses as
// ISO 8601 text is what has no instant of its own (bindings/src/time.rs):
//
// - `LocalDate` (`2026-11-27`): a calendar day, such as a directory entry's check or a stats
//   range. Foundation: `DateComponents` with year, month and day.
// - `LocalDateTime` (`2026-11-27T18:30:00`) beside a `TimeZoneId` (`Europe/Lisbon`): an event's
//   wall-clock time as its organizer set it. Foundation: `DateComponents` and `TimeZone`.
// - `LocalTime` (`09:30`): a reminder's time of day. Foundation: `DateComponents` (hour, minute).
//
// Parsed and written by hand, not with a `DateFormatter`: the forms are fixed, and a formatter
// follows the phone's locale and calendar (a Buddhist or Japanese calendar would shift the
// year) unless every option is pinned.

/// The calendar the core counts in: Gregorian, weeks from Monday, ISO 8601 week numbers.
public enum KinshipCalendar {
    /// A Gregorian calendar in `zone` with ISO 8601 weeks (Monday first, week 1 holds the
    /// year's first Thursday), as the journal's mood weeks use.
    public static func iso8601(in zone: TimeZone = .current) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }
}

extension DateComponents {
    /// The year, month and day of a `LocalDate` (`2026-11-27`); `nil` for text that is not a
    /// real Gregorian date.
    public init?(localDate: LocalDate) {
        guard let day = KinshipISO8601.date(Substring(localDate)) else { return nil }
        self.init(calendar: Calendar(identifier: .gregorian), year: day.0, month: day.1, day: day.2)
        guard KinshipISO8601.exists(self) else { return nil }
    }

    /// The date and wall-clock time of a `LocalDateTime` (`2026-11-27T18:30:00`), with no time
    /// zone: set `timeZone` (the event's) to make it an instant. `nil` for text that is not a
    /// real date and time.
    public init?(localDateTime: LocalDateTime) {
        guard let parsed = KinshipISO8601.dateTime(localDateTime) else { return nil }
        self.init(
            calendar: Calendar(identifier: .gregorian),
            year: parsed.date.0, month: parsed.date.1, day: parsed.date.2,
            hour: parsed.time.0, minute: parsed.time.1, second: parsed.time.2
        )
        guard KinshipISO8601.exists(self) else { return nil }
    }

    /// These components' year, month and day as a `LocalDate`, for the core (a stats range);
    /// `nil` when one of them is missing or out of range. Read in the Gregorian calendar,
    /// whatever calendar the components came from.
    public var localDate: LocalDate? {
        guard let day = gregorianDay else { return nil }
        return KinshipISO8601.format(year: day.year, month: day.month, day: day.day)
    }

    /// These components' date and time as a `LocalDateTime` (seconds default to 0).
    public var localDateTime: LocalDateTime? {
        guard let day = gregorianDay, let hour, let minute,
              (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second ?? 0)
        else { return nil }
        return KinshipISO8601.format(year: day.year, month: day.month, day: day.day)
            + "T" + KinshipISO8601.pad(hour, 2) + ":" + KinshipISO8601.pad(minute, 2)
            + ":" + KinshipISO8601.pad(second ?? 0, 2)
    }

    /// The hour and minute of a `LocalTime` (`09:30`, a reminder's time of day); `nil` for text
    /// that is not a time of day.
    public init?(localTime: LocalTime) {
        guard let time = KinshipISO8601.timeOfDay(Substring(localTime)) else { return nil }
        self.init(hour: time.hour, minute: time.minute)
    }

    /// These components' hour and minute as a `LocalTime` (`09:30`), for a reminder; `nil`
    /// when either is missing or out of range. Seconds are dropped: reminders are to the minute.
    public var localTime: LocalTime? {
        guard let hour, let minute, (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return KinshipISO8601.pad(hour, 2) + ":" + KinshipISO8601.pad(minute, 2)
    }

    private var gregorianDay: (year: Int, month: Int, day: Int)? {
        guard let year, let month, let day else { return nil }
        guard (1...9999).contains(year), KinshipISO8601.exists(DateComponents(year: year, month: month, day: day))
        else { return nil }
        return (year, month, day)
    }
}

extension TimeZone {
    /// The zone of a `TimeZoneId` (`Europe/Lisbon`); `nil` when the phone's time zone database
    /// does not know it (an older iOS than the core's data, or an old alias).
    public init?(timeZoneId: TimeZoneId) {
        self.init(identifier: timeZoneId)
    }
}

extension Date {
    /// The instant a wall-clock time in `zone` stands for. In a daylight-saving gap (02:30 on
    /// the night clocks jump to 03:00) Foundation moves it forward past the gap.
    public init?(localDateTime: LocalDateTime, in zone: TimeZone) {
        guard var components = DateComponents(localDateTime: localDateTime) else { return nil }
        components.timeZone = zone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let date = calendar.date(from: components) else { return nil }
        self = date
    }

    /// The calendar day this instant falls on in `zone`, as a `LocalDate` (for
    /// `journal.stats(from:to:)`: "this week" on the person's own calendar).
    public func localDate(in zone: TimeZone = .current) -> LocalDate {
        let day = KinshipCalendar.iso8601(in: zone).dateComponents([.year, .month, .day], from: self)
        return KinshipISO8601.format(year: day.year ?? 1970, month: day.month ?? 1, day: day.day ?? 1)
    }
}

extension GroupEvent {
    /// The organizer's time zone, to show the event's times as they set them; `nil` when the
    /// phone does not know it (then show `startDate` in the phone's own zone).
    public var eventTimeZone: TimeZone? { TimeZone(timeZoneId: timeZone) }

    /// The start as the organizer set it (wall clock in `eventTimeZone`), with that zone set.
    public var startComponents: DateComponents? { Self.components(startsAt, in: eventTimeZone) }

    /// The end as the organizer set it.
    public var endComponents: DateComponents? { Self.components(endsAt, in: eventTimeZone) }

    /// The start as an instant in the event's zone, for sorting, reminders and showing it in
    /// the phone's zone: the core's `startInstant`, or else the wall-clock start read in the
    /// zone the phone knows it by. `nil` when neither the core nor the phone knows the zone.
    public var startDate: Date? {
        startInstant ?? eventTimeZone.flatMap { Date(localDateTime: startsAt, in: $0) }
    }

    /// The end as an instant, as `startDate`.
    public var endDate: Date? {
        endInstant ?? eventTimeZone.flatMap { Date(localDateTime: endsAt, in: $0) }
    }

    private static func components(_ time: LocalDateTime, in zone: TimeZone?) -> DateComponents? {
        guard var components = DateComponents(localDateTime: time) else { return nil }
        components.timeZone = zone
        return components
    }
}

extension JournalEntry {
    /// The phone's UTC offset when the entry was written, as a fixed-offset zone: show
    /// `createdAt` in it to say "written at 23:40" as the writer saw their clock.
    public var writtenTimeZone: TimeZone? { TimeZone(secondsFromGMT: Int(utcOffsetSeconds)) }

    /// The date and time on the writer's clock when the entry was written.
    public var writtenComponents: DateComponents {
        KinshipCalendar.iso8601(in: writtenTimeZone ?? .current).dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .timeZone], from: createdAt
        )
    }
}

extension CopingTry {
    /// The phone's UTC offset when the try was logged, as a fixed-offset zone.
    public var loggedTimeZone: TimeZone? { TimeZone(secondsFromGMT: Int(utcOffsetSeconds)) }
}

extension MoodPeriod {
    /// The period's first day (the day itself, or the week's Monday).
    public var firstDay: LocalDate {
        switch self {
        case let .day(date):
            return date
        case let .week(_, _, firstDay):
            return firstDay
        }
    }

    /// The days the period covers in `zone`, midnight to midnight (a week is seven days).
    public func dateInterval(in zone: TimeZone = .current) -> DateInterval? {
        let calendar = KinshipCalendar.iso8601(in: zone)
        guard var first = DateComponents(localDate: firstDay) else { return nil }
        first.calendar = calendar
        first.timeZone = zone
        guard let start = calendar.date(from: first) else { return nil }
        let days: Int
        switch self {
        case .day:
            days = 1
        case .week:
            days = 7
        }
        guard let end = calendar.date(byAdding: .day, value: days, to: start) else { return nil }
        return DateInterval(start: start, end: end)
    }
}

/// The ISO 8601 forms the core writes and reads (bindings/src/time.rs).
enum KinshipISO8601 {
    /// Whether these fields name a real day and time, checked in UTC: a wall-clock time has no
    /// zone, so 02:30 on the night the phone's own clock skips it is still a valid time.
    static func exists(_ components: DateComponents) -> Bool {
        var check = components
        check.calendar = utcGregorian
        check.timeZone = utcGregorian.timeZone
        return check.isValidDate
    }

    private static let utcGregorian: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
        return calendar
    }()

    /// `YYYY-MM-DD` as numbers (not yet checked to be a real day).
    static func date(_ text: Substring) -> (Int, Int, Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = number(parts[0]), let month = number(parts[1]), let day = number(parts[2])
        else { return nil }
        return (year, month, day)
    }

    /// `YYYY-MM-DDTHH:MM:SS`, also `HH:MM` and with a fraction of a second (dropped), the
    /// shapes the core accepts.
    static func dateTime(_ text: String) -> (date: (Int, Int, Int), time: (Int, Int, Int))? {
        let halves = text.split(separator: "T", omittingEmptySubsequences: false)
        guard halves.count == 2, let date = date(halves[0]) else { return nil }
        let wholeSeconds = halves[1].split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(wholeSeconds.count) else { return nil }
        if wholeSeconds.count == 2 {
            guard !wholeSeconds[1].isEmpty, number(wholeSeconds[1]) != nil else { return nil }
        }
        let fields = wholeSeconds[0].split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(fields.count), fields.allSatisfy({ $0.count == 2 }),
              let hour = number(fields[0]), let minute = number(fields[1])
        else { return nil }
        let second = fields.count == 3 ? number(fields[2]) : 0
        guard let second, wholeSeconds.count == 1 || fields.count == 3 else { return nil }
        return (date, (hour, minute, second))
    }

    /// `HH:MM`, also with seconds and a fraction (dropped), the shapes the core accepts.
    static func timeOfDay(_ text: Substring) -> (hour: Int, minute: Int)? {
        guard let parsed = dateTime("2000-01-01T" + String(text)),
              (0..<24).contains(parsed.time.0), (0..<60).contains(parsed.time.1), (0..<60).contains(parsed.time.2)
        else { return nil }
        return (parsed.time.0, parsed.time.1)
    }

    static func format(year: Int, month: Int, day: Int) -> String {
        pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// ASCII digits only: `Int("+1")` and `Int("٣")` would pass otherwise.
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
