import Foundation
import KinshipCore

// One-tap actions as URLs for `UIApplication.open(_:)` / SwiftUI `Link`. The core builds
// every `tel:`, `sms:` and `https:` URI; the app only opens them.

extension CrisisContactItem {
    /// The contact's `tel:`, `sms:` or `https:` action ("Call 988", "Text HOME to 741741").
    public var actionURL: URL? { URL(string: actionUri) }
}

extension DirectoryAction {
    /// The action's `tel:`, `sms:` or `https:` URL.
    public var url: URL? { URL(string: uri) }
}

extension PlanContact {
    /// The `tel:` URL to call this safety-plan contact; `nil` for a contact not returned by
    /// the core (a `PlanContact` built in Swift has no `actionUri`).
    public var callURL: URL? { actionUri.flatMap { URL(string: $0) } }
}

extension Suggestion {
    /// The one-tap actions of a safety-plan or crisis suggestion.
    public var actionURLs: [URL] { actions.compactMap { URL(string: $0) } }
}
