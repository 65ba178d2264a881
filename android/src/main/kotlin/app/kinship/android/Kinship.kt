// The Kotlin face of a profile for an app: one `Kinship` per profile, with a repository per
// feature. Every call is a suspend function; the core's quick synchronous calls run on an
// injected dispatcher (Dispatchers.IO by default; a test passes its own), and the slow ones
// (key derivation, search, stats, backups, sync) are already suspend in the bindings.
package app.kinship.android

import app.kinship.core.KinshipDirectory
import app.kinship.core.KinshipProfile
import app.kinship.core.KinshipProfileInterface
import app.kinship.core.createProfile
import app.kinship.core.profileExists
import java.nio.ByteBuffer
import java.nio.CharBuffer
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * One person's profile and its features. Made by [create] or [open]; built directly from a
 * fake [KinshipProfileInterface] in an app's tests.
 *
 * Passphrases are taken as `CharArray` (what an `EditText` can give without making a String):
 * they are encoded to UTF-8 in a buffer that is wiped after the call. The caller wipes its own
 * array (`fill('\u0000')`) when it is done with it.
 */
class Kinship(
    /** The profile behind this facade (for calls the facade does not wrap). */
    val profile: KinshipProfileInterface,
    /**
     * The public crisis directory the [directory] repository searches with the person's own
     * entries (a class, not its interface: `KinshipProfile.directory` takes the class).
     */
    val publicDirectory: KinshipDirectory,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) : AutoCloseable {
    companion object {
        /** Whether [dataDir] holds a profile (to choose between the "create" and "unlock" screens). */
        fun exists(dataDir: String): Boolean = profileExists(dataDir)

        /** Creates a profile in [dataDir], unlocked (about a third of a second, off the caller's thread). */
        suspend fun create(dataDir: String, passphrase: CharArray, io: CoroutineDispatcher = Dispatchers.IO): Kinship {
            val profile = withUtf8(passphrase) { createProfile(dataDir, it) }
            return Kinship(profile, withContext(io) { KinshipDirectory.open(dataDir) }, io)
        }

        /** Opens the profile in [dataDir], locked; [unlock] it next. */
        suspend fun open(dataDir: String, io: CoroutineDispatcher = Dispatchers.IO): Kinship = withContext(io) {
            Kinship(KinshipProfile.open(dataDir), KinshipDirectory.open(dataDir), io)
        }
    }

    /** The feature handles handed out so far, freed by [close]. */
    private val handles = java.util.concurrent.CopyOnWriteArrayList<AutoCloseable>()

    private fun <T : AutoCloseable> handle(make: () -> T): T = make().also { handles += it }

    /** The private journal. */
    val journal: JournalRepository by lazy { JournalRepository(handle { profile.journal() }, io) }

    /** Coping strategies, tries and suggestions. */
    val coping: CopingRepository by lazy { CopingRepository(handle { profile.coping() }, io) }

    /** The safety plan. */
    val safetyPlan: SafetyPlanRepository by lazy { SafetyPlanRepository(handle { profile.safetyPlan() }, io) }

    /** The crisis directory with the person's own entries. */
    val directory: DirectoryRepository by lazy {
        DirectoryRepository(handle { profile.directory(publicDirectory) }, publicDirectory, io)
    }

    /** Followed peer groups, sync and events. */
    val groups: GroupsRepository by lazy { GroupsRepository(handle { profile.groups() }, io) }

    /** Journal check-in reminders. */
    val reminders: RemindersRepository by lazy { RemindersRepository(handle { profile.reminders() }, io) }

    /** Every change of the lock state (auto-lock as it fires, erase): send the app to its lock screen. */
    fun lockStates(): kotlinx.coroutines.flow.Flow<app.kinship.core.LockState> = profile.lockStates()

    /** Encrypted backups to files and streams. */
    val backups: BackupRepository by lazy { BackupRepository(handle { profile.backups() }) }

    /** Whether the vault is open now (auto-lock may have closed it). */
    val isUnlocked: Boolean get() = profile.isUnlocked()

    /** Unlocks with the passphrase. Throws `WrongPassphrase`; cancelled, the vault stays locked. */
    suspend fun unlock(passphrase: CharArray) = withUtf8(passphrase) { profile.unlock(it) }

    /** Unlocks with the 32-byte key the app keeps wrapped by the Android Keystore (biometric unlock). */
    suspend fun unlockWithDeviceKey(deviceKey: ByteArray) = withContext(io) { profile.unlockWithDeviceKey(deviceKey) }

    /** Adds the device key as a second way in; needs the passphrase too. */
    suspend fun enableDeviceKey(passphrase: CharArray, deviceKey: ByteArray) =
        withUtf8(passphrase) { profile.enableDeviceKey(it, deviceKey) }

    /** Removes the device key. */
    suspend fun disableDeviceKey() = withContext(io) { profile.disableDeviceKey() }

    /** Whether a device key is set. */
    suspend fun hasDeviceKey(): Boolean = withContext(io) { profile.hasDeviceKey() }

    /** Changes the passphrase (removes the device key). */
    suspend fun changePassphrase(old: CharArray, new: CharArray) =
        withUtf8(old) { oldBytes -> withUtf8(new) { newBytes -> profile.changePassphrase(oldBytes, newBytes) } }

    /** Locks now: keys and decrypted caches are wiped. Quick; safe on the main thread (`onStop`). */
    fun lock() = profile.lock()

    /** Locks after [seconds] idle (at least 1); null turns auto-lock off. */
    suspend fun setAutoLockSeconds(seconds: Int?) = withContext(io) { profile.setAutoLockSeconds(seconds) }

    /** Destroys the keys, then the files: nothing can be recovered; later calls throw `Erased`. */
    suspend fun quickErase() = withContext(io) { profile.quickErase() }

    /**
     * Frees the native handles: the feature handles, the profile and the directory. Once no
     * handle of the profile is left in the process, it locks (a later [open] starts locked).
     * Not usable afterwards.
     */
    override fun close() {
        handles.forEach { it.close() }
        handles.clear()
        (profile as? AutoCloseable)?.close()
        publicDirectory.close()
    }
}

/**
 * Runs [block] with [passphrase] as UTF-8 bytes, and wipes those bytes afterwards (the core
 * wipes its own copy).
 */
suspend fun <T> withUtf8(passphrase: CharArray, block: suspend (ByteArray) -> T): T {
    val encoded: ByteBuffer = Charsets.UTF_8.newEncoder().encode(CharBuffer.wrap(passphrase))
    val bytes = ByteArray(encoded.remaining())
    encoded.get(bytes)
    // The encoder's buffer held the same bytes: wipe it too.
    encoded.clear()
    while (encoded.hasRemaining()) encoded.put(0)
    try {
        return block(bytes)
    } finally {
        bytes.fill(0)
    }
}
