import Foundation
import KinshipCore

// Backups that stop when the Swift task is cancelled.
//
// Why this layer exists: uniffi's generated Swift (0.32) does not pass a task's cancellation to
// the Rust future (mozilla/uniffi-rs#2771). It waits for the future to complete and frees it
// only then, so the core's cancel-on-drop never fires from Swift, and `Task.cancel()` on a raw
// `exportToPath` lets the whole export run and write its file (Kotlin's coroutines do cancel).
// These wrappers watch the task with `withTaskCancellationHandler` and cancel the call's
// `CancelToken`, which the core checks between entries; and they refuse at the next call the
// core makes into Swift, so even the last step cannot write: an export is abandoned when its
// sealed bytes arrive, an import fails at the next read of the file.

extension BackupsProtocol {
    /// Writes an encrypted backup to the file at `url` under its own `passphrase`, all or
    /// nothing (a temporary file beside it is moved into place). Cancelling the task throws
    /// `KinshipError.Cancelled` and leaves no file, not even the temporary one.
    public func export(
        to url: URL, passphrase: Data, progress: BackupProgress? = nil
    ) async throws -> BackupExportSummary {
        try await export(to: FileBackupSink(url: url), passphrase: passphrase, progress: progress)
    }

    /// Writes an encrypted backup to `sink`. Cancelling the task throws `KinshipError.Cancelled`;
    /// the sink is then `abandon`ed and never `finish`ed. A sink is `abandon`ed after any
    /// failure, even one before the first byte (a refused passphrase), so a file the app created
    /// for it is always cleaned up.
    public func export(
        to sink: BackupSink, passphrase: Data, progress: BackupProgress? = nil
    ) async throws -> BackupExportSummary {
        let watch = CancellationWatch()
        let guarded = CancellableBackupSink(sink, watch: watch)
        do {
            return try await watch.run {
                try await exportToSink(
                    sink: guarded, passphrase: passphrase, progress: progress, cancel: watch.token
                )
            }
        } catch {
            guarded.abandonUnlessEnded()
            throw error
        }
    }

    /// Merges the backup file at `url` into the profile, in one transaction: a wrong passphrase,
    /// a damaged file or a cancellation while the file is read changes nothing.
    public func importBackup(
        from url: URL, passphrase: Data, progress: BackupProgress? = nil
    ) async throws -> BackupImportSummary {
        try await importBackup(from: FileHandleBackupSource(url: url), passphrase: passphrase, progress: progress)
    }

    /// Merges the backup read from `source` into the profile. Cancelling the task while the
    /// file is read throws `KinshipError.Cancelled` and imports nothing; once the whole file
    /// is read, the import completes.
    public func importBackup(
        from source: BackupSource, passphrase: Data, progress: BackupProgress? = nil
    ) async throws -> BackupImportSummary {
        let watch = CancellationWatch()
        return try await watch.run {
            try await importFromSource(
                source: CancellableBackupSource(source, watch: watch), passphrase: passphrase,
                progress: progress, cancel: watch.token
            )
        }
    }
}

/// Whether the task that started a call was cancelled, readable from the core's threads (where
/// `Task.isCancelled` says nothing about the caller's task).
final class CancellationWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    /// Passed to the core's call: the core checks it between steps.
    let token = CancelToken()

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
        token.cancel()
    }

    /// Runs `operation`, raising this flag if the task is cancelled meanwhile. A failure after
    /// a cancellation is reported as `Cancelled` (the core sees the refused callback as a
    /// storage failure); a cancellation before the start throws at once.
    func run<T>(_ operation: () async throws -> T) async throws -> T {
        if Task.isCancelled {
            throw KinshipError.Cancelled
        }
        do {
            return try await withTaskCancellationHandler(operation: operation, onCancel: { self.cancel() })
        } catch {
            if isCancelled {
                throw KinshipError.Cancelled
            }
            throw error
        }
    }
}

/// A sink that refuses the bytes once the task is cancelled, so the core abandons it, and that
/// remembers whether the export ended it (finished or abandoned).
final class CancellableBackupSink: BackupSink, @unchecked Sendable {
    private let base: BackupSink
    private let watch: CancellationWatch
    private let lock = NSLock()
    private var ended = false

    init(_ base: BackupSink, watch: CancellationWatch) {
        self.base = base
        self.watch = watch
    }

    func write(bytes: Data) throws {
        if watch.isCancelled {
            throw KinshipError.Cancelled
        }
        try base.write(bytes: bytes)
    }

    func finish() throws {
        if watch.isCancelled {
            throw KinshipError.Cancelled
        }
        markEnded()
        try base.finish()
    }

    func abandon() {
        markEnded()
        base.abandon()
    }

    /// Abandons the sink if the core never finished or abandoned it (it failed before).
    func abandonUnlessEnded() {
        lock.lock()
        let open = !ended
        ended = true
        lock.unlock()
        if open {
            base.abandon()
        }
    }

    private func markEnded() {
        lock.lock()
        ended = true
        lock.unlock()
    }
}

/// A source that fails the next read once the task is cancelled, so the core imports nothing.
final class CancellableBackupSource: BackupSource, @unchecked Sendable {
    private let base: BackupSource
    private let watch: CancellationWatch

    init(_ base: BackupSource, watch: CancellationWatch) {
        self.base = base
        self.watch = watch
    }

    func read(maxBytes: Int32) throws -> Data {
        if watch.isCancelled {
            throw KinshipError.Cancelled
        }
        return try base.read(maxBytes: maxBytes)
    }
}
