// What to show the person when a call fails. The person may be reading it in a crisis, so every
// message is plain, kind, and says what they can do next.
package app.kinship.android

import app.kinship.core.BackgroundPollProblem
import app.kinship.core.InputProblem
import app.kinship.core.KinshipException

/**
 * A sentence to show the person for [e].
 *
 * It never includes the exception's `reason` (or its `toString()`): reasons are English for
 * developers and logs. An `InvalidInput` is said with its `field` and `problem`. The `when`
 * has no `else`, so a variant added to the core fails this build instead of showing nothing.
 */
fun userMessage(e: KinshipException): String = when (e) {
    is KinshipException.Locked -> "Kinship is locked. Unlock it to continue."
    is KinshipException.Erased ->
        "Everything in Kinship was erased from this device. You can start again with a new passphrase."
    is KinshipException.NotInitialized -> "There is no Kinship profile on this device yet."
    is KinshipException.AlreadyInitialized -> "A Kinship profile already exists on this device."
    is KinshipException.WrongPassphrase -> "That passphrase didn't work. Please try again."
    is KinshipException.WrongDeviceKey ->
        "Unlocking with your fingerprint or face didn't work. Please use your passphrase."
    is KinshipException.WeakPassphrase ->
        "Please choose a longer passphrase: at least 8 characters, and a few words are best."
    is KinshipException.NotFound -> "This item no longer exists. It may have been deleted."
    is KinshipException.InvalidInput -> userMessage(e.problem, e.field)
    is KinshipException.Cancelled -> "Stopped. Nothing was changed."
    is KinshipException.Internal ->
        "Something went wrong inside Kinship. What you saved is safe. Please try again."
    is KinshipException.Offline -> "You're offline. Everything saved on this device still works."
    is KinshipException.Corrupted ->
        "Some saved data is damaged and couldn't be opened. Restoring a backup can replace it."
    is KinshipException.BadBackup ->
        "This backup can't be restored. It may be damaged, or not a Kinship backup."
    is KinshipException.DirectoryUpdateRefused ->
        "The directory update couldn't be verified, so the current directory stays in use."
    is KinshipException.Remote -> "The group's server couldn't help right now. Please try again later."
    is KinshipException.Storage ->
        "Kinship couldn't save to this device. Please check that there is free space."
}

/**
 * A sentence for an input that was refused: what is wrong with which field. [field] is the
 * core's field name (`title`, `phone`...); an unknown or missing one is said generally.
 */
fun userMessage(problem: InputProblem, field: String?): String {
    val what = fieldName(field)
    return when (problem) {
        InputProblem.MISSING -> if (what != null) "Please fill in the $what." else "Something needed is missing. Please fill it in."
        InputProblem.TOO_LONG -> if (what != null) "The $what is too long. Please shorten it." else "This is too long. Please shorten it."
        InputProblem.TOO_MANY -> if (what != null) "There are too many $what. Please remove some." else "There are too many items. Please remove some."
        InputProblem.OUT_OF_RANGE -> if (what != null) "The $what is outside what's allowed. Please pick another value." else "This value is outside what's allowed. Please pick another."
        InputProblem.MALFORMED -> if (what != null) "The $what doesn't look right. Please check it." else "Something you entered doesn't look right. Please check it."
        InputProblem.NOT_ALLOWED -> "This can't be changed. You can make your own copy instead."
        InputProblem.DUPLICATE -> if (what != null) "This $what is already there." else "This is already there."
    }
}

/** The words for a field the core names, or null for a field it has no words for. */
private fun fieldName(field: String?): String? = when (field) {
    null -> null
    "title" -> "title"
    "body" -> "text"
    "mood" -> "mood"
    "tags" -> "tags"
    "strategy_ids", "strategy_id" -> "coping strategies"
    "name" -> "name"
    "phone" -> "phone number"
    "sms" -> "text message number"
    "website" -> "website address"
    "server_url" -> "server address"
    "group_id" -> "group code"
    "country" -> "country"
    "passphrase" -> "passphrase"
    "distress" -> "distress level"
    "note", "notes" -> "note"
    "summary" -> "summary"
    "steps" -> "steps"
    "minutes" -> "number of minutes"
    "items" -> "items"
    "contacts" -> "contacts"
    else -> null
}

/** A sentence for a group that sync while locked could not reach (shown after the next unlock). */
fun userMessage(problem: BackgroundPollProblem): String = when (problem) {
    BackgroundPollProblem.OFFLINE -> "A group couldn't be reached in the background. It will be tried again."
    BackgroundPollProblem.ACCESS_REFUSED ->
        "A group no longer lets this device in. It may have closed, or your invite may have ended."
    BackgroundPollProblem.SERVER -> "A group's server couldn't help in the background. It will be tried again."
    BackgroundPollProblem.STORAGE -> "Kinship couldn't save a group's news to this device. Please check that there is free space."
}
