import Foundation
import KinshipCore

// One-tap actions (a crisis line, a directory entry's channel, a safety-plan contact, a
// suggestion's call) as what an iOS app does with them. The core builds every `tel:`, `sms:`
// and `https:` URI; the app only opens it, except where iOS will not.

/// What a tap on an `Action` does on iOS.
public enum ActionTap: Equatable, Sendable {
    /// Open this URL (`UIApplication.shared.open(_:)`, SwiftUI's `Link` or `openURL`).
    case open(URL)
    /// iOS's Phone app refuses `tel:` links with `*` (a mobile network's star code such as
    /// `*4141`): show this number, to be typed on the Phone app's keypad, instead of a link
    /// that silently does nothing.
    case dialByHand(number: String)
}

extension Action {
    /// The action's `tel:`, `sms:` or `https:` URL, for an action that can be opened directly;
    /// `nil` for one that must be dialled by hand (see `tap`) or a URI that is not a URL.
    public var url: URL? {
        guard !dialByHand else { return nil }
        return URL(string: uri)
    }

    /// What a tap does: open the URL, or show the number to dial by hand. `nil` only for a URI
    /// the core never makes (not a URL at all).
    public var tap: ActionTap? {
        if dialByHand {
            return .dialByHand(number: Self.number(inTelURI: uri))
        }
        return URL(string: uri).map(ActionTap.open)
    }

    /// A note for under the button: what the tap leaves on the phone, so a person whose phone
    /// may be looked at can choose another way.
    public var traceNotice: String { trace.notice }

    /// The number of a `tel:` URI as the person types it (`tel:*4141` is `*4141`).
    static func number(inTelURI uri: String) -> String {
        let number = uri.hasPrefix("tel:") ? String(uri.dropFirst("tel:".count)) : uri
        return number.removingPercentEncoding ?? number
    }
}

extension ActionTrace {
    /// What this trace leaves on the phone, in plain words (the Android layer says the same).
    public var notice: String {
        switch self {
        case .callLog:
            return "This call will show in your phone's call history."
        case .smsThread:
            return "This message will stay in your messages until you delete it."
        case .messagingAppChat:
            return "This chat will stay in the messaging app until you delete it."
        case .browserHistory:
            return "This page will show in your browser history."
        }
    }
}

extension CountryCode {
    /// The phone's region as a country code (`Locale.current`), or `nil` when it has none or
    /// it is not an ISO 3166-1 alpha-2 code (a region such as `419`, Latin America). Ask the
    /// person for their country then: crisis numbers must be the right ones.
    public static func currentRegion(_ locale: Locale = .current) -> CountryCode? {
        let identifier: String?
        if #available(iOS 16, macOS 13, *) {
            identifier = locale.region?.identifier
        } else {
            identifier = locale.regionCode
        }
        guard let identifier else { return nil }
        return try? CountryCode(code: identifier)
    }
}
