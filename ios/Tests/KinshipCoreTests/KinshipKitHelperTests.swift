import Foundation
import XCTest
@testable import KinshipKit
import KinshipCore

/// The handwritten helpers on their own (the feature tests use them on real data too).
final class KinshipKitHelperTests: XCTestCase {
    func testUserMessagesCoverEveryErrorAndNeverEchoReasons() {
        let secret = "my secret words"
        let errors: [KinshipError] = [
            .Locked, .Erased, .NotInitialized, .AlreadyInitialized, .WrongPassphrase, .WrongDeviceKey,
            .WeakPassphrase, .NotFound,
            .InvalidInput(field: "title", problem: .tooLong, reason: secret),
            .Cancelled,
            .Internal(reason: secret),
            .Offline,
            .Corrupted(reason: secret),
            .BadBackup(reason: secret),
            .DirectoryUpdateRefused(reason: secret),
            .Remote(status: 500, reason: secret),
            .Storage(reason: secret),
        ]
        var messages = Set<String>()
        for error in errors {
            XCTAssertFalse(error.userMessage.isEmpty, "\(error)")
            XCTAssertFalse(error.userMessage.contains(secret), "\(error)")
            XCTAssertTrue(error.userMessage.hasSuffix("."), error.userMessage)
            messages.insert(error.userMessage)
        }
        XCTAssertEqual(messages.count, errors.count, "one message per variant")
    }

    func testInputProblemsAreSaidWithTheirField() {
        let problems: [InputProblem] = [.missing, .tooLong, .tooMany, .outOfRange, .malformed, .notAllowed, .duplicate]
        for problem in problems {
            for field in ["title", "phone", "tags", "a_field_nobody_named", nil] as [String?] {
                let message = KinshipError.InvalidInput(field: field, problem: problem, reason: "x").userMessage
                XCTAssertFalse(message.isEmpty)
                XCTAssertFalse(message.contains("_"), message)
                XCTAssertEqual(message, problem.userMessage(field: field))
            }
        }
        XCTAssertEqual(InputProblem.missing.userMessage(field: "body"), "Please fill in the text.")
        XCTAssertEqual(InputProblem.tooLong.userMessage(field: "tags"), "One of the tags is too long. Please shorten it.")
        XCTAssertEqual(InputProblem.tooMany.userMessage(field: "tags"), "There are too many tags. Please remove some.")
        XCTAssertEqual(InputProblem.malformed.userMessage(field: "website"), "The website address doesn't look right. Please check it.")
        XCTAssertEqual(InputProblem.malformed.userMessage(field: nil), "Something you entered doesn't look right. Please check it.")
    }

    func testLocalDatesAndTimes() throws {
        let date = try XCTUnwrap(DateComponents(localDate: "2026-11-27"))
        XCTAssertEqual([date.year, date.month, date.day], [2026, 11, 27])
        XCTAssertEqual(date.localDate, "2026-11-27")
        XCTAssertEqual(DateComponents(year: 2024, month: 2, day: 29).localDate, "2024-02-29")
        XCTAssertEqual(DateComponents(year: 987, month: 6, day: 5).localDate, "0987-06-05")
        for bad in ["2026-02-30", "2026-13-01", "26-11-27", "2026-11-27T10:00:00", "", "2026-1-27", "+2026-11-27"] {
            XCTAssertNil(DateComponents(localDate: bad), bad)
        }
        XCTAssertNil(DateComponents(year: 2026, month: 2, day: 30).localDate)
        XCTAssertNil(DateComponents(month: 2, day: 3).localDate)

        let time = try XCTUnwrap(DateComponents(localDateTime: "2026-11-27T18:30:05"))
        XCTAssertEqual([time.year, time.month, time.day, time.hour, time.minute, time.second], [2026, 11, 27, 18, 30, 5])
        XCTAssertEqual(time.localDateTime, "2026-11-27T18:30:05")
        XCTAssertEqual(DateComponents(localDateTime: "2026-11-27T18:30")?.localDateTime, "2026-11-27T18:30:00")
        XCTAssertEqual(DateComponents(localDateTime: "2026-11-27T18:30:05.250")?.second, 5)
        for bad in ["2026-11-27", "2026-11-27T25:00:00", "2026-11-27 18:30:00", "2026-11-27T18:30.5", "2026-11-27T18:30:00Z"] {
            XCTAssertNil(DateComponents(localDateTime: bad), bad)
        }
        XCTAssertEqual(DateComponents(year: 2026, month: 11, day: 27, hour: 9, minute: 5).localDateTime, "2026-11-27T09:05:00")
        // A wall-clock time has no zone: 02:30 exists even on the night Berlin skips it.
        XCTAssertNotNil(DateComponents(localDateTime: "2027-03-28T02:30:00"))
        XCTAssertEqual(DateComponents(localTime: "09:30")?.hour, 9)
        XCTAssertEqual(DateComponents(localTime: "09:30:59")?.minute, 30)
        XCTAssertNil(DateComponents(localTime: "9:30"))
        XCTAssertNil(DateComponents(localTime: "24:00"))
        XCTAssertEqual(DateComponents(hour: 7, minute: 5, second: 40).localTime, "07:05")

        // A wall-clock time in a zone is an instant; the phone's calendar day of an instant.
        let lisbon = try XCTUnwrap(TimeZone(timeZoneId: "Europe/Lisbon"))
        let berlin = try XCTUnwrap(TimeZone(timeZoneId: "Europe/Berlin"))
        XCTAssertNil(TimeZone(timeZoneId: "Mars/Olympus_Mons"))
        // 2026-07-01 18:30 in Lisbon (UTC+1 in summer) is 17:30 UTC.
        XCTAssertEqual(Date(localDateTime: "2026-07-01T18:30:00", in: lisbon), Date(timeIntervalSince1970: 1_782_927_000))
        XCTAssertEqual(Date(localDateTime: "2026-07-01T19:30:00", in: berlin), Date(timeIntervalSince1970: 1_782_927_000))
        XCTAssertNotNil(Date(localDateTime: "2027-03-28T02:30:00", in: berlin), "moved past the gap, not dropped")
        let lateEvening = Date(timeIntervalSince1970: 1_782_948_600) // 2026-07-01T23:30Z
        XCTAssertEqual(lateEvening.localDate(in: lisbon), "2026-07-02")
        XCTAssertEqual(lateEvening.localDate(in: TimeZone(secondsFromGMT: 0)!), "2026-07-01")
    }

    func testMoodPeriods() throws {
        let utc = try XCTUnwrap(TimeZone(secondsFromGMT: 0))
        let day = MoodPeriod.day(date: "2026-11-27")
        XCTAssertEqual(day.firstDay, "2026-11-27")
        XCTAssertEqual(day.dateInterval(in: utc)?.start, Date(timeIntervalSince1970: 1_795_737_600))
        XCTAssertEqual(day.dateInterval(in: utc)?.duration, 86_400)
        let week = MoodPeriod.week(isoYear: 2026, week: 48, firstDay: "2026-11-23")
        XCTAssertEqual(week.firstDay, "2026-11-23")
        XCTAssertEqual(week.dateInterval(in: utc)?.duration, 7 * 86_400)
        let calendar = KinshipCalendar.iso8601(in: utc)
        let monday = try XCTUnwrap(week.dateInterval(in: utc)?.start)
        XCTAssertEqual(calendar.component(.weekday, from: monday), 2)
        XCTAssertEqual(calendar.component(.weekOfYear, from: monday), 48)
    }

    func testActionsAsTaps() throws {
        let text = Action(label: "Text HOME to 741741", uri: "sms:741741?body=HOME", kind: .text, trace: .smsThread, dialByHand: false)
        XCTAssertEqual(text.url?.scheme, "sms")
        XCTAssertEqual(text.tap, .open(try XCTUnwrap(URL(string: "sms:741741?body=HOME"))))
        XCTAssertEqual(text.traceNotice, "This message will stay in your messages until you delete it.")
        XCTAssertFalse("\(text)".contains("741741"), "\(text)")

        // iOS will not dial a star code from a link: show the number instead of a dead button.
        let star = Action(label: "Call *4141", uri: "tel:*4141", kind: .call, trace: .callLog, dialByHand: true)
        XCTAssertNil(star.url)
        XCTAssertEqual(star.tap, .dialByHand(number: "*4141"))
        XCTAssertEqual(Action.number(inTelURI: "tel:%2A4141"), "*4141")

        let traces: [ActionTrace] = [.callLog, .smsThread, .messagingAppChat, .browserHistory]
        XCTAssertEqual(Set(traces.map(\.notice)).count, traces.count)
    }

    func testBackupProgressClosureAndStreamAdapters() throws {
        let log = ProgressLog()
        let progress = ClosureBackupProgress { done, total in log.record(done: done, total: total) }
        progress.onProgress(done: 1, total: 2)
        progress.onProgress(done: 2, total: 2)
        XCTAssertEqual(log.calls, [ProgressLog.Call(done: 1, total: 2), ProgressLog.Call(done: 2, total: 2)])

        // An output stream gets every byte, in order; an input stream gives them back in pieces.
        let output = OutputStream.toMemory()
        let sink = OutputStreamBackupSink(output)
        try sink.write(bytes: Data([1, 2, 3]))
        try sink.write(bytes: Data([4, 5]))
        try sink.finish()
        let written = try XCTUnwrap(output.property(forKey: .dataWrittenToMemoryStreamKey) as? Data)
        XCTAssertEqual(written, Data([1, 2, 3, 4, 5]))
        let source = InputStreamBackupSource(InputStream(data: written))
        XCTAssertEqual(try source.read(maxBytes: 2), Data([1, 2]))
        XCTAssertEqual(try source.read(maxBytes: 10), Data([3, 4, 5]))
        XCTAssertEqual(try source.read(maxBytes: 10), Data())

        // A file sink moves its file into place on finish and leaves nothing on abandon.
        let folder = try makeScratchDirectory()
        let kept = folder.appendingPathComponent("kept.kinshipbackup")
        let finished = try FileBackupSink(url: kept)
        try finished.write(bytes: Data("sealed".utf8))
        try finished.finish()
        XCTAssertEqual(try Data(contentsOf: kept), Data("sealed".utf8))
        let dropped = try FileBackupSink(url: folder.appendingPathComponent("dropped.kinshipbackup"))
        try dropped.write(bytes: Data("partial".utf8))
        dropped.abandon()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["kept.kinshipbackup"])
        let fileSource = try FileHandleBackupSource(url: kept)
        XCTAssertEqual(try fileSource.read(maxBytes: 64), Data("sealed".utf8))
        XCTAssertEqual(try fileSource.read(maxBytes: 64), Data())
    }

    func testJournalPagesFollowCursorsToTheEnd() async throws {
        let recorder = CursorRecorder()
        let pages = JournalPages { cursor in
            recorder.record(cursor)
            switch cursor {
            case nil:
                return JournalPage(entries: [], nextCursor: "page-2")
            case "page-2"?:
                return JournalPage(entries: [], nextCursor: nil)
            default:
                throw KinshipError.InvalidInput(field: "cursor", problem: .malformed, reason: "unknown cursor")
            }
        }
        var count = 0
        for try await _ in pages {
            count += 1
        }
        XCTAssertEqual(count, 2)
        XCTAssertEqual(recorder.cursors, [nil, "page-2"])
        // A new iteration starts again from the first page.
        _ = try await pages.allEntries()
        XCTAssertEqual(recorder.cursors, [nil, "page-2", nil, "page-2"])
    }

    func testOSLogSinkLevels() {
        XCTAssertEqual(OSLogSink.osLogType(.error), .error)
        XCTAssertEqual(OSLogSink.osLogType(.warn), .default)
        XCTAssertEqual(OSLogSink.osLogType(.info), .info)
        XCTAssertEqual(OSLogSink.osLogType(.debug), .debug)
        // Installing and removing it is harmless at any time.
        OSLogSink.install(subsystem: "app.kinship.tests", maxLevel: .debug)
        OSLogSink(subsystem: "app.kinship.tests").log(level: .info, target: "kinship_core::tests", message: "3 entries")
        OSLogSink.uninstall()
    }
}

/// Cursors a page loader was asked for, from whichever task asked.
final class CursorRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String?] = []

    func record(_ cursor: String?) {
        lock.lock()
        defer { lock.unlock() }
        recorded.append(cursor)
    }

    var cursors: [String?] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }
}
