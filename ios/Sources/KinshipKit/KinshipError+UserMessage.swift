import Foundation
import KinshipCore

// What to show the person when a call fails. The person may be reading it in a crisis, so every
// message is plain, kind, and says what they can do next. The wording matches the Android
// layer's `userMessage` (android/src/main/kotlin/app/kinship/android/UserMessage.kt).

extension KinshipError {
    /// A sentence to show the person, saying what they can do.
    ///
    /// It never includes the error's `reason`: reasons are English for developers and logs.
    /// Neither does `description` / `localizedDescription` belong on screen: they carry the
    /// reason. An `InvalidInput` is said with its `field` and `problem`. The `switch` has no
    /// `default`, so a variant added to the core fails the build instead of showing nothing.
    public var userMessage: String {
        switch self {
        case .Locked:
            return "Kinship is locked. Unlock it to continue."
        case .Erased:
            return "Everything in Kinship was erased from this device. You can start again with a new passphrase."
        case .NotInitialized:
            return "There is no Kinship profile on this device yet."
        case .AlreadyInitialized:
            return "A Kinship profile already exists on this device."
        case .WrongPassphrase:
            return "That passphrase didn't work. Please try again."
        case .WrongDeviceKey:
            return "Unlocking with Face ID or Touch ID didn't work. Please use your passphrase."
        case .WeakPassphrase:
            return "Please choose a longer passphrase: at least 8 characters, and a few words are best."
        case .NotFound:
            return "This item no longer exists. It may have been deleted."
        case let .InvalidInput(field, problem, _):
            return problem.userMessage(field: field)
        case .Cancelled:
            return "Stopped. Nothing was changed."
        case .Internal:
            return "Something went wrong inside Kinship. What you saved is safe. Please try again."
        case .Offline:
            return "You're offline. Everything saved on this device still works."
        case .Corrupted:
            return "Some saved data is damaged and couldn't be opened. Restoring a backup can replace it."
        case .BadBackup:
            return "This backup can't be restored. It may be damaged, or not a Kinship backup."
        case .DirectoryUpdateRefused:
            return "The directory update couldn't be verified, so the current directory stays in use."
        case .Remote:
            return "The group's server couldn't help right now. Please try again later."
        case .Storage:
            return "Kinship couldn't save to this device. Please check that there is free space."
        }
    }
}

extension InputProblem {
    /// A sentence for an input that was refused: what is wrong with which field. `field` is the
    /// core's field name (`title`, `phone`...); an unknown or missing one is said generally.
    public func userMessage(field: String?) -> String {
        let what = KinshipFieldNames.words(for: field)
        // "The tags is too long" reads wrong: for a list, say which one.
        let one = what.map { KinshipFieldNames.isList(field) ? "One of the \($0)" : "The \($0)" }
        switch self {
        case .missing:
            return what.map { "Please fill in the \($0)." }
                ?? "Something needed is missing. Please fill it in."
        case .tooLong:
            return one.map { "\($0) is too long. Please shorten it." }
                ?? "This is too long. Please shorten it."
        case .tooMany:
            return what.map { "There are too many \($0). Please remove some." }
                ?? "There are too many items. Please remove some."
        case .outOfRange:
            return one.map { "\($0) is outside what's allowed. Please pick another value." }
                ?? "This value is outside what's allowed. Please pick another."
        case .malformed:
            return one.map { "\($0) doesn't look right. Please check it." }
                ?? "Something you entered doesn't look right. Please check it."
        case .notAllowed:
            return "This can't be changed. You can make your own copy instead."
        case .duplicate:
            return one.map { "\($0) is already there." } ?? "This is already there."
        }
    }
}

/// The words for the fields the core and the bindings name in `InvalidInput`.
enum KinshipFieldNames {
    static func words(for field: String?) -> String? {
        guard let field else { return nil }
        return names[field]
    }

    /// Whether the field is a list (its words are plural).
    static func isList(_ field: String?) -> Bool {
        guard let field else { return false }
        return lists.contains(field)
    }

    private static let lists: Set<String> = ["tags", "strategy_ids", "steps", "items", "contacts", "weekdays"]

    private static let names: [String: String] = [
        "title": "title",
        "body": "text",
        "mood": "mood",
        "tags": "tags",
        "strategy_ids": "coping strategies",
        "strategy_id": "coping strategy",
        "name": "name",
        "kind": "kind",
        "phone": "phone number",
        "sms": "text message number",
        "website": "website address",
        "server_url": "server address",
        "group_id": "group code",
        "country": "country",
        "passphrase": "passphrase",
        "distress": "distress level",
        "note": "note",
        "notes": "notes",
        "summary": "summary",
        "steps": "steps",
        "minutes": "number of minutes",
        "items": "items",
        "contacts": "contacts",
        "limit": "number of results",
        "days": "number of days",
        "seconds": "number of seconds",
        "request_timeout_ms": "time limit",
        "max_attempts": "number of tries",
        "background_key": "background sync key",
        "device_key": "device key",
        "time": "time",
        "zone": "time zone",
        "weekdays": "days",
    ]
}
