import Foundation
import KinshipCore

// Journal check-in reminders with Foundation's calendar types. The core stores the reminders
// and says when each fires next (`reminders.upcoming(after:limit:)`, daylight-saving changes
// included); the app schedules those firings with UNUserNotificationCenter and asks again when
// they have fired or `reminders.changes()` yields.

extension Weekday {
    /// Foundation's weekday number (`Calendar.component(.weekday, from:)`): Sunday is 1.
    public var calendarWeekday: Int {
        switch self {
        case .sun: return 1
        case .mon: return 2
        case .tue: return 3
        case .wed: return 4
        case .thu: return 5
        case .fri: return 6
        case .sat: return 7
        }
    }

    /// The weekday of Foundation's number (Sunday is 1); `nil` outside 1 to 7.
    public init?(calendarWeekday: Int) {
        let days: [Weekday] = [.sun, .mon, .tue, .wed, .thu, .fri, .sat]
        guard (1...7).contains(calendarWeekday) else { return nil }
        self = days[calendarWeekday - 1]
    }
}

extension NewReminder {
    /// A reminder at `hour`:`minute` in `zone` (the phone's, unless the person chose another)
    /// on `weekdays` (empty: every day); `nil` for a time that is not one.
    public init?(hour: Int, minute: Int, weekdays: [Weekday] = [], zone: TimeZone = .current, enabled: Bool = true) {
        guard let time = DateComponents(hour: hour, minute: minute).localTime else { return nil }
        self.init(time: time, weekdays: weekdays, zone: zone.identifier, enabled: enabled)
    }
}

extension Reminder {
    /// The time of day it fires at, as hour and minute in `timeZone`.
    public var timeComponents: DateComponents? {
        guard var components = DateComponents(localTime: time) else { return nil }
        components.timeZone = timeZone
        return components
    }

    /// The zone its time is read in; `nil` when the phone does not know it.
    public var timeZone: TimeZone? { TimeZone(timeZoneId: zone) }
}

extension ScheduledReminder {
    /// The firing as calendar components on the phone's clock, for a one-off
    /// `UNCalendarNotificationTrigger(dateMatching:repeats: false)`. The core computed the
    /// instant in the reminder's zone; these say the same instant in `zone`.
    public func triggerComponents(in zone: TimeZone = .current) -> DateComponents {
        KinshipCalendar.iso8601(in: zone).dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .timeZone], from: at
        )
    }
}
