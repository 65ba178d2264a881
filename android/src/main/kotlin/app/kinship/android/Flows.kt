// The core's listeners as Kotlin Flows. Each collection registers a listener and holds its
// TaskHandle; when the collector goes away (its scope is cancelled, `first()` returns...), the
// handle is cancelled and the core stops calling. Listeners are called on the core's threads:
// `collect` runs where it is called (the main dispatcher for a screen). A feature's `changes(now = true)`
// signals once at the start too: a screen that re-reads on every signal shows the current data.
package app.kinship.android

import app.kinship.core.ChangeListener
import app.kinship.core.CopingLibraryInterface
import app.kinship.core.DirectoryInterface
import app.kinship.core.DirectoryListener
import app.kinship.core.GroupsInterface
import app.kinship.core.JournalInterface
import app.kinship.core.KinshipProfileInterface
import app.kinship.core.LockListener
import app.kinship.core.LockState
import app.kinship.core.RemindersInterface
import app.kinship.core.SafetyPlannerInterface
import app.kinship.core.SyncListener
import app.kinship.core.SyncProgress
import app.kinship.core.TaskHandleInterface
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate

/**
 * The lock state now, then every change: unlocks, locks (by auto-lock too, as it fires) and
 * erase. The current state is read after the listener is registered, so no change between the
 * two is missed (a lock screen can rely on it).
 */
fun KinshipProfileInterface.lockStates(): Flow<LockState> = callbackFlow {
    val handle = observeLock(object : LockListener {
        override fun onLockState(state: LockState) {
            trySend(state)
        }
    })
    trySend(if (isUnlocked()) LockState.Unlocked else LockState.Locked(byAutoLock = false))
    awaitClose { handle.cancel() }
}.buffer(capacity = 64)

/** A signal after every committed change to the journal: re-read what is shown. */
fun JournalInterface.changes(now: Boolean = false): Flow<Unit> = changeSignals(now, ::observeChanges)

/** A signal after every committed change to strategies, favourites or tries. */
fun CopingLibraryInterface.changes(now: Boolean = false): Flow<Unit> = changeSignals(now, ::observeChanges)

/** A signal after every committed change to the safety plan. */
fun SafetyPlannerInterface.changes(now: Boolean = false): Flow<Unit> = changeSignals(now, ::observeChanges)

/** A signal after every change to the person's own directory entries. */
fun DirectoryInterface.changes(now: Boolean = false): Flow<Unit> = changeSignals(now, ::observeChanges)

/** A signal after every change to the followed groups and their events. */
fun GroupsInterface.changes(now: Boolean = false): Flow<Unit> = changeSignals(now, ::observeChanges)

/** A signal after every change to the reminders: reschedule the notifications then. */
fun RemindersInterface.changes(now: Boolean = false): Flow<Unit> = changeSignals(now, ::observeChanges)

/** The steps of every sync (started, each group, finished), for a progress indicator. */
fun GroupsInterface.syncProgress(): Flow<SyncProgress> = callbackFlow {
    val handle = observeSync(object : SyncListener {
        override fun onSyncProgress(progress: SyncProgress) {
            trySend(progress)
        }
    })
    awaitClose { handle.cancel() }
}.buffer(capacity = 256)

/** The version of each newer signed directory put in use (the directory is reloaded first). */
fun DirectoryInterface.directoryUpdates(): Flow<Long> = callbackFlow {
    val handle = observeUpdates(object : DirectoryListener {
        override fun onDirectoryUpdated(version: Long) {
            trySend(version)
        }
    })
    awaitClose { handle.cancel() }
}.conflate()

/**
 * Change signals from a feature's `observeChanges`, with one signal at once when [now] (after
 * registering, so a screen that reads on each signal misses no change). Several changes while
 * the collector is busy become one signal (a screen re-reads once).
 */
private fun changeSignals(now: Boolean, observe: (ChangeListener) -> TaskHandleInterface): Flow<Unit> = callbackFlow {
    val handle = observe(object : ChangeListener {
        override fun onChange() {
            trySend(Unit)
        }
    })
    if (now) trySend(Unit)
    awaitClose { handle.cancel() }
}.buffer(capacity = 1, onBufferOverflow = BufferOverflow.DROP_OLDEST)
