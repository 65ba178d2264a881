import Foundation
import KinshipCore

// The core's listeners as `AsyncStream`s, for SwiftUI's `.task { for await ... }` and view
// models:
//
//     .task {
//         for await state in profile.lockStates() {
//             if case .locked = state { showUnlockScreen() }   // auto-lock included, as it fires
//         }
//     }
//
// Each stream registers its listener when it is made and stops it (`TaskHandle.cancel()`) when
// the stream ends: the iterating task is cancelled, or the stream is dropped. The core calls
// listeners on its own threads, outside its locks; the streams hand the values to whichever
// task iterates. Change streams carry no data: re-read what is shown when one yields.

extension KinshipProfileProtocol {
    /// Every change of the lock state: unlock, lock (by the app, or by auto-lock when the idle
    /// time runs out), and quick erase. The newest states are kept if the reader falls behind.
    public func lockStates(
        bufferingPolicy: AsyncStream<LockState>.Continuation.BufferingPolicy = .bufferingNewest(8)
    ) -> AsyncStream<LockState> {
        KinshipStreams.make(bufferingPolicy) { continuation in
            observeLock(listener: LockStateForwarder(continuation))
        }
    }
}

extension JournalProtocol {
    /// Yields after every committed change to the journal.
    public func changes() -> AsyncStream<Void> {
        KinshipStreams.changes { observeChanges(listener: $0) }
    }
}

extension CopingLibraryProtocol {
    /// Yields after every committed change to strategies, favourites or tries.
    public func changes() -> AsyncStream<Void> {
        KinshipStreams.changes { observeChanges(listener: $0) }
    }
}

extension SafetyPlannerProtocol {
    /// Yields after every committed change to the safety plan.
    public func changes() -> AsyncStream<Void> {
        KinshipStreams.changes { observeChanges(listener: $0) }
    }
}

extension DirectoryProtocol {
    /// Yields after every committed change to the person's own entries or queued reports.
    public func changes() -> AsyncStream<Void> {
        KinshipStreams.changes { observeChanges(listener: $0) }
    }

    /// The version of each newer signed directory put in use (by a sync or `installBundle`);
    /// the public directory this handle reads is already reloaded when it arrives.
    public func updates() -> AsyncStream<Int64> {
        KinshipStreams.make(.bufferingNewest(1)) { continuation in
            observeUpdates(listener: DirectoryUpdateForwarder(continuation))
        }
    }
}

extension GroupsProtocol {
    /// Yields after every committed change to followed groups or their cached events.
    public func changes() -> AsyncStream<Void> {
        KinshipStreams.changes { observeChanges(listener: $0) }
    }

    /// The steps of every sync (started, each group finished, finished), for a progress
    /// indicator. Unbuffered: a sync has a few steps, and each one counts.
    public func syncProgress() -> AsyncStream<SyncProgress> {
        KinshipStreams.make(.unbounded) { continuation in
            observeSync(listener: SyncProgressForwarder(continuation))
        }
    }
}

extension RemindersProtocol {
    /// Yields after every change to the reminders: reschedule the notifications then.
    public func changes() -> AsyncStream<Void> {
        KinshipStreams.changes { observeChanges(listener: $0) }
    }
}

/// How the streams above are made.
enum KinshipStreams {
    /// A stream whose listener `register` starts; the handle it returns is cancelled when the
    /// stream ends.
    static func make<Element>(
        _ bufferingPolicy: AsyncStream<Element>.Continuation.BufferingPolicy,
        _ register: (AsyncStream<Element>.Continuation) -> TaskHandle
    ) -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream<Element>.makeStream(bufferingPolicy: bufferingPolicy)
        let handle = register(continuation)
        continuation.onTermination = { _ in
            handle.cancel()
        }
        return stream
    }

    /// A change stream: one pending "changed" is enough however many writes came meanwhile.
    static func changes(_ register: (ChangeListener) -> TaskHandle) -> AsyncStream<Void> {
        make(.bufferingNewest(1)) { continuation in
            register(ChangeForwarder(continuation))
        }
    }
}

final class LockStateForwarder: LockListener, @unchecked Sendable {
    private let continuation: AsyncStream<LockState>.Continuation

    init(_ continuation: AsyncStream<LockState>.Continuation) {
        self.continuation = continuation
    }

    func onLockState(state: LockState) {
        continuation.yield(state)
    }
}

final class ChangeForwarder: ChangeListener, @unchecked Sendable {
    private let continuation: AsyncStream<Void>.Continuation

    init(_ continuation: AsyncStream<Void>.Continuation) {
        self.continuation = continuation
    }

    func onChange() {
        continuation.yield()
    }
}

final class SyncProgressForwarder: SyncListener, @unchecked Sendable {
    private let continuation: AsyncStream<SyncProgress>.Continuation

    init(_ continuation: AsyncStream<SyncProgress>.Continuation) {
        self.continuation = continuation
    }

    func onSyncProgress(progress: SyncProgress) {
        continuation.yield(progress)
    }
}

final class DirectoryUpdateForwarder: DirectoryListener, @unchecked Sendable {
    private let continuation: AsyncStream<Int64>.Continuation

    init(_ continuation: AsyncStream<Int64>.Continuation) {
        self.continuation = continuation
    }

    func onDirectoryUpdated(version: Int64) {
        continuation.yield(version)
    }
}
