import Foundation
import KinshipCore

/// A `BackupProgress` that forwards every report to a closure, to drive a progress bar:
///
///     let progress = ClosureBackupProgress { done, total in
///         DispatchQueue.main.async { bar.progress = Float(done) / Float(max(total, 1)) }
///     }
///     try profile.exportBackup(path: path, passphrase: passphrase, progress: progress)
///
/// The closure is called synchronously, on the thread that called `exportBackup` or
/// `importBackup`, once per item written or read; hop to the main actor for UI work.
public final class ClosureBackupProgress: BackupProgress {
    private let handler: @Sendable (_ done: UInt32, _ total: UInt32) -> Void

    /// - Parameter handler: Receives how many items are done out of `total`.
    public init(_ handler: @escaping @Sendable (_ done: UInt32, _ total: UInt32) -> Void) {
        self.handler = handler
    }

    public func onProgress(done: UInt32, total: UInt32) {
        handler(done, total)
    }
}
