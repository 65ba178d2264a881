import Foundation
import KinshipCore

/// A `BackupProgress` that forwards every report to a closure, to drive a progress bar:
///
///     let progress = ClosureBackupProgress { done, total in
///         Task { @MainActor in bar.progress = Float(done) / Float(max(total, 1)) }
///     }
///     try await profile.backups().export(to: url, passphrase: passphrase, progress: progress)
///
/// The closure is called on one of the core's worker threads, once per item written or read;
/// hop to the main actor for UI work, and keep it quick (the backup waits for it).
public final class ClosureBackupProgress: BackupProgress, @unchecked Sendable {
    private let handler: @Sendable (_ done: Int32, _ total: Int32) -> Void

    /// - Parameter handler: Receives how many items are done out of `total`.
    public init(_ handler: @escaping @Sendable (_ done: Int32, _ total: Int32) -> Void) {
        self.handler = handler
    }

    public func onProgress(done: Int32, total: Int32) {
        handler(done, total)
    }
}
