// One repository per feature, over the generated feature handles (`profile.journal()`...).
// Each takes the handle's generated interface, so an app's tests can pass a fake, and runs the
// handle's synchronous calls on the dispatcher it is given.
package app.kinship.android

import app.kinship.core.Action
import app.kinship.core.BackupExportSummary
import app.kinship.core.BackupImportSummary
import app.kinship.core.BackupProgress
import app.kinship.core.BackupsInterface
import app.kinship.core.CopingContext
import app.kinship.core.CopingLibraryInterface
import app.kinship.core.CopingTry
import app.kinship.core.CountryCode
import app.kinship.core.CrisisHelp
import app.kinship.core.DirectoryEntry
import app.kinship.core.DirectoryHit
import app.kinship.core.DirectoryInterface
import app.kinship.core.DirectoryQuery
import app.kinship.core.EventQuery
import app.kinship.core.FollowedGroup
import app.kinship.core.GroupEvent
import app.kinship.core.GroupsInterface
import app.kinship.core.JournalEntry
import app.kinship.core.JournalFilter
import app.kinship.core.JournalInterface
import app.kinship.core.JournalPage
import app.kinship.core.JournalStats
import app.kinship.core.KinshipDirectoryInterface
import app.kinship.core.NewCopingTry
import app.kinship.core.NewJournalEntry
import app.kinship.core.NewPrivateEntry
import app.kinship.core.NewStrategy
import app.kinship.core.PlanContact
import app.kinship.core.QueuedReport
import app.kinship.core.ReportProblem
import app.kinship.core.SafetyPlan
import app.kinship.core.SafetyPlanSection
import app.kinship.core.SafetyPlannerInterface
import app.kinship.core.Strategy
import app.kinship.core.StrategyCategory
import app.kinship.core.StrategyEdit
import app.kinship.core.StrategyStats
import app.kinship.core.Suggestion
import app.kinship.core.SyncSettings
import app.kinship.core.SyncSummary
import app.kinship.core.BackgroundMergeSummary
import app.kinship.core.BackgroundSyncSummary
import app.kinship.core.NewReminder
import app.kinship.core.Reminder
import app.kinship.core.RemindersInterface
import app.kinship.core.ScheduledReminder
import app.kinship.core.SyncProgress
import java.io.InputStream
import java.io.OutputStream
import java.time.Instant
import java.time.LocalDate
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.withContext

/** The private journal. */
class JournalRepository(val journal: JournalInterface, private val io: CoroutineDispatcher = Dispatchers.IO) {
    /** Adds an entry; only the body is required. Mood is 1 (very low) to 5 (very good). */
    suspend fun add(
        body: String,
        title: String? = null,
        mood: Int? = null,
        tags: List<String> = emptyList(),
        strategyIds: List<String> = emptyList(),
    ): JournalEntry = add(NewJournalEntry(title, body, mood, tags, strategyIds))

    /** Adds an entry. */
    suspend fun add(entry: NewJournalEntry): JournalEntry = withContext(io) { journal.add(entry) }

    /** One entry; `NotFound` when it was deleted. */
    suspend fun get(id: String): JournalEntry = withContext(io) { journal.get(id) }

    /** Replaces the entry's fields (an edit screen saves the whole entry). */
    suspend fun update(id: String, entry: NewJournalEntry): JournalEntry = withContext(io) { journal.update(id, entry) }

    /** Deletes an entry. */
    suspend fun delete(id: String) = withContext(io) { journal.delete(id) }

    /** One page of entries matching [filter], newest first. */
    suspend fun list(filter: JournalFilter = JournalFilter(), limit: Int = PAGE_SIZE, cursor: String? = null): JournalPage =
        withContext(io) { journal.list(filter, limit, cursor) }

    /** One page of entries with every word of [query] (as word prefixes), newest first. */
    suspend fun search(query: String, limit: Int = PAGE_SIZE, cursor: String? = null): JournalPage =
        journal.search(query, limit, cursor)

    /** A pager over the entries matching [filter]. */
    fun pager(filter: JournalFilter = JournalFilter(), pageSize: Int = PAGE_SIZE): CursorPager<JournalEntry> =
        CursorPager { cursor -> list(filter, pageSize, cursor).toCursorPage() }

    /** A pager over the search results for [query]. */
    fun searchPager(query: String, pageSize: Int = PAGE_SIZE): CursorPager<JournalEntry> =
        CursorPager { cursor -> search(query, pageSize, cursor).toCursorPage() }

    /** A signal after every committed change to the journal. */
    fun changes(): Flow<Unit> = journal.changes()

    /** The first page for [filter] now and again after every change (a list screen's state). */
    fun firstPage(filter: JournalFilter = JournalFilter(), limit: Int = PAGE_SIZE): Flow<JournalPage> =
        journal.changes(now = true).map { list(filter, limit, null) }

    /** Mood by day and week, tags and the writing streak between two dates (inclusive, both optional). */
    suspend fun stats(from: LocalDate? = null, to: LocalDate? = null): JournalStats = journal.stats(from, to)

    /** How many entries there are. */
    suspend fun count(): Int = withContext(io) { journal.count() }

    /** Entries that could not be opened (damaged); a backup restore can replace them. */
    suspend fun unreadableIds(): List<String> = withContext(io) { journal.unreadableIds() }

    /** Writes every entry as Markdown into [dir], **unencrypted**: only after the person confirmed. */
    suspend fun exportMarkdownUnencrypted(dir: String): Int = withContext(io) { journal.exportMarkdownUnencrypted(dir) }

    companion object {
        /** A screenful and a bit. */
        const val PAGE_SIZE = 30
    }
}

/** Coping strategies: the library, the person's own, tries and suggestions. */
class CopingRepository(val coping: CopingLibraryInterface, private val io: CoroutineDispatcher = Dispatchers.IO) {
    /** Library and custom strategies, optionally of one [category]. */
    suspend fun list(category: StrategyCategory? = null): List<Strategy> = withContext(io) { coping.list(category) }

    /** A signal after every committed change to strategies, favourites or tries. */
    fun changes(): Flow<Unit> = coping.changes()

    /** One strategy. */
    suspend fun get(id: String): Strategy = withContext(io) { coping.get(id) }

    /** Strategies matching [query]. */
    suspend fun search(query: String): List<Strategy> = withContext(io) { coping.search(query) }

    /** Marks or unmarks a favourite. */
    suspend fun setFavorite(id: String, favorite: Boolean) = withContext(io) { coping.setFavorite(id, favorite) }

    /** Adds the person's own strategy. */
    suspend fun addCustom(strategy: NewStrategy): Strategy = withContext(io) { coping.addCustom(strategy) }

    /** Edits the person's own strategy (a built-in one is `InvalidInput` / `NotAllowed`). */
    suspend fun editCustom(id: String, edit: StrategyEdit): Strategy = withContext(io) { coping.editCustom(id, edit) }

    /** Deletes the person's own strategy. */
    suspend fun deleteCustom(id: String) = withContext(io) { coping.deleteCustom(id) }

    /** Records that the person tried a strategy, with distress 0 to 10 before and after. */
    suspend fun logTry(attempt: NewCopingTry): CopingTry = withContext(io) { coping.logTry(attempt) }

    /** Tries, of one strategy or all. */
    suspend fun tries(strategyId: String? = null): List<CopingTry> = withContext(io) { coping.tries(strategyId) }

    /** How each tried strategy worked. */
    suspend fun stats(): List<StrategyStats> = withContext(io) { coping.stats() }

    /**
     * What might help now at [distress] 0 to 10. From 8 up the safety plan and crisis help
     * come first; with a [country] the crisis item carries its numbers as actions.
     */
    suspend fun suggest(
        distress: Int,
        contexts: List<CopingContext> = emptyList(),
        limit: Int = 5,
        country: CountryCode? = null,
    ): List<Suggestion> = withContext(io) { coping.suggest(distress, contexts, limit, country) }
}

/** The safety plan. */
class SafetyPlanRepository(val planner: SafetyPlannerInterface, private val io: CoroutineDispatcher = Dispatchers.IO) {
    /** The plan; empty until the person writes one. */
    suspend fun get(): SafetyPlan = withContext(io) { planner.get() }

    /** The plan now and again after every change. */
    fun plan(): Flow<SafetyPlan> = planner.changes(now = true).map { get() }

    /** Replaces one section's items. */
    suspend fun setSection(section: SafetyPlanSection, items: List<String>): SafetyPlan =
        withContext(io) { planner.setSection(section, items) }

    /** Adds a person to ask for help; the number is checked, never changed. */
    suspend fun addContact(name: String, phone: String): PlanContact = withContext(io) { planner.addContact(name, phone) }

    /** Adds a contact with what they know about the person and whether they are safe to call in a crisis. */
    suspend fun addContact(contact: PlanContact): PlanContact = withContext(io) { planner.addContactWith(contact) }

    /** Replaces [contact] (as the screen read it) by [changed]; `NotFound` when it is gone. */
    suspend fun updateContact(contact: PlanContact, changed: PlanContact): PlanContact =
        withContext(io) { planner.updateContact(contact, changed) }

    /** Removes this contact (as the screen read it); `NotFound` when it is gone already. */
    suspend fun removeContact(contact: PlanContact): SafetyPlan = withContext(io) { planner.removeContact(contact) }

    /** Saves the whole plan. */
    suspend fun replace(plan: SafetyPlan): SafetyPlan = withContext(io) { planner.replace(plan) }

    /** Every contact's one-tap call, in order (a contact whose number cannot be dialled has none). */
    suspend fun contactActions(): List<Action> = get().helpContacts.mapNotNull { it.action }
}

/** The crisis directory: the public one (needs no unlock) with the person's own sealed entries. */
class DirectoryRepository(
    val directory: DirectoryInterface,
    val public: KinshipDirectoryInterface,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    /** Who to call now in [country]: the emergency number first, then lines open now. Needs no unlock. */
    suspend fun crisisContacts(country: CountryCode): CrisisHelp = withContext(io) { public.crisisContacts(country) }

    /** The public directory and the person's own entries together. */
    suspend fun search(query: DirectoryQuery): List<DirectoryHit> = withContext(io) { directory.search(query) }

    /** Adds the person's own entry (sealed). */
    suspend fun addPrivateEntry(entry: NewPrivateEntry): DirectoryEntry = withContext(io) { directory.addPrivateEntry(entry) }

    /** Replaces the person's own entry. */
    suspend fun updatePrivateEntry(id: String, entry: NewPrivateEntry): DirectoryEntry =
        withContext(io) { directory.updatePrivateEntry(id, entry) }

    /** Removes the person's own entry. */
    suspend fun removePrivateEntry(id: String) = withContext(io) { directory.removePrivateEntry(id) }

    /** A signal after every change to the person's own entries. */
    fun changes(): Flow<Unit> = directory.changes()

    /** The version of each newer signed directory put in use (after a sync brought one). */
    fun updates(): Flow<Long> = directory.directoryUpdates()

    /** Installs a signed directory bundle if it verifies and is newer; the version in use. */
    suspend fun installBundle(bundle: ByteArray): Long = withContext(io) { directory.installBundle(bundle) }

    /** The person's own entries, by name. */
    suspend fun privateEntries(): List<DirectoryEntry> = withContext(io) { directory.privateEntries() }

    /** Queues "this entry did not work" for the next sync (its server's operator can read [note]). */
    suspend fun report(entryId: String, problem: ReportProblem, note: String? = null) =
        withContext(io) { directory.reportDirectoryEntry(entryId, problem, note) }

    /** Reports waiting for the next sync. */
    suspend fun queuedReports(): List<QueuedReport> = withContext(io) { directory.queuedDirectoryReports() }
}

/** Followed peer groups and their cached events. */
class GroupsRepository(val groups: GroupsInterface, private val io: CoroutineDispatcher = Dispatchers.IO) {
    /** Follows a group (a private one needs its invite code). */
    suspend fun follow(serverUrl: String, groupId: String, inviteCode: String? = null): FollowedGroup =
        groups.follow(serverUrl, groupId, inviteCode)

    /** Pulls every followed group's changes; `Offline` only when no server could be reached. */
    suspend fun syncNow(settings: SyncSettings? = null): SyncSummary = groups.syncNow(settings)

    /** The steps of every sync, for a progress indicator. */
    fun syncProgress(): Flow<SyncProgress> = groups.syncProgress()

    /** A signal after every change to the followed groups and their events. */
    fun changes(): Flow<Unit> = groups.changes()

    /**
     * Turns on sync while locked with [backgroundKey] (32 bytes the app keeps in the Android
     * Keystore, see docs/PHONES.md); needs the profile unlocked.
     */
    suspend fun enableBackgroundSync(backgroundKey: ByteArray) = withContext(io) { groups.enableBackgroundSync(backgroundKey) }

    /** Turns sync while locked off and forgets what it stored. */
    suspend fun disableBackgroundSync() = withContext(io) { groups.disableBackgroundSync() }

    /** Whether sync while locked is on. */
    suspend fun backgroundSyncEnabled(): Boolean = withContext(io) { groups.backgroundSyncEnabled() }

    /** Polls the followed groups while the profile is locked (a WorkManager job); merged at the next unlock. */
    suspend fun syncWhileLocked(backgroundKey: ByteArray, settings: SyncSettings? = null): BackgroundSyncSummary =
        groups.syncWhileLocked(backgroundKey, settings)

    /** What the last unlock merged from sync while locked, if anything. */
    suspend fun lastBackgroundMerge(): BackgroundMergeSummary? = withContext(io) { groups.lastBackgroundMerge() }

    /** Stops following a group and forgets its events. */
    suspend fun unfollow(groupId: String) = withContext(io) { groups.unfollow(groupId) }

    /** The followed groups. */
    suspend fun followed(): List<FollowedGroup> = withContext(io) { groups.followed() }

    /** Cached upcoming events, soonest first; works offline. */
    suspend fun upcomingEvents(query: EventQuery = EventQuery()): List<GroupEvent> =
        withContext(io) { groups.upcomingEvents(query) }

    /** One cached event. */
    suspend fun event(id: String): GroupEvent = withContext(io) { groups.event(id) }

    /** An iCalendar file with these events, for "add to calendar". */
    suspend fun exportIcs(eventIds: List<String>): String = withContext(io) { groups.exportIcs(eventIds) }
}

/** Journal check-in reminders: the core says when they fire, the app schedules the notifications. */
class RemindersRepository(val reminders: RemindersInterface, private val io: CoroutineDispatcher = Dispatchers.IO) {
    /** Every reminder. */
    suspend fun list(): List<Reminder> = withContext(io) { reminders.list() }

    /** Adds a reminder. */
    suspend fun add(reminder: NewReminder): Reminder = withContext(io) { reminders.add(reminder) }

    /** Replaces a reminder. */
    suspend fun update(id: String, reminder: NewReminder): Reminder = withContext(io) { reminders.update(id, reminder) }

    /** Turns a reminder on or off. */
    suspend fun setEnabled(id: String, enabled: Boolean): Reminder = withContext(io) { reminders.setEnabled(id, enabled) }

    /** Deletes a reminder. */
    suspend fun delete(id: String) = withContext(io) { reminders.delete(id) }

    /** The next [limit] firings after [after], soonest first (across daylight-saving changes). */
    suspend fun upcoming(after: Instant = Instant.now(), limit: Int = 10): List<ScheduledReminder> =
        withContext(io) { reminders.upcoming(after, limit) }

    /** The next firings now and again after every change: what to (re)schedule. */
    fun schedule(limit: Int = 10): Flow<List<ScheduledReminder>> =
        reminders.changes(now = true).map { upcoming(Instant.now(), limit) }
}

/**
 * Encrypted backups, each under its own passphrase. Every call is cancellable: cancelling the
 * coroutine leaves no file at a path, abandons a stream, and makes an import write nothing.
 */
class BackupRepository(val backups: BackupsInterface) {
    /** Writes a backup to [path], atomically. */
    suspend fun exportToPath(path: String, passphrase: CharArray, progress: BackupProgress? = null): BackupExportSummary =
        withUtf8(passphrase) { backups.exportToPath(path, it, progress) }

    /**
     * Writes a backup to [stream] (a document from `ContentResolver.openOutputStream`), closing
     * it at the end. If the export fails or is cancelled, [onAbandon] runs to delete the partial document.
     */
    suspend fun exportTo(
        stream: OutputStream,
        passphrase: CharArray,
        progress: BackupProgress? = null,
        onAbandon: () -> Unit = {},
    ): BackupExportSummary = withUtf8(passphrase) { backups.exportToSink(OutputStreamBackupSink(stream, onAbandon), it, progress) }

    /** Merges the backup at [path] into this profile; a wrong passphrase or a damaged file changes nothing. */
    suspend fun importFromPath(path: String, passphrase: CharArray, progress: BackupProgress? = null): BackupImportSummary =
        withUtf8(passphrase) { backups.importFromPath(path, it, progress) }

    /** Merges the backup read from [stream] (closed at its end) into this profile. */
    suspend fun importFrom(stream: InputStream, passphrase: CharArray, progress: BackupProgress? = null): BackupImportSummary =
        withUtf8(passphrase) { backups.importFromSource(InputStreamBackupSource(stream), it, progress) }
}
