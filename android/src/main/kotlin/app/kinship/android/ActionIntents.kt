// One-tap actions (a crisis line, a safety-plan contact, a suggestion's call) as a plain
// description of the Android Intent that performs them, so the mapping is tested on the JVM;
// androidMain's `toIntent()` turns it into an `android.content.Intent`.
package app.kinship.android

import app.kinship.core.Action
import app.kinship.core.ActionTrace

/** An Intent to start for an [Action]: its [action] string and its [data] URI. */
data class ActionIntent(val action: String, val data: String) {
    companion object {
        /** Opens the dialer with the number filled in; needs no permission and calls nobody by itself. */
        const val DIAL = "android.intent.action.DIAL"

        /** Opens a messaging app on a new message to the number (`sms:`, `smsto:`). */
        const val SENDTO = "android.intent.action.SENDTO"

        /** Opens a web page or a messaging app's link (`https:`, `https://wa.me/...`). */
        const val VIEW = "android.intent.action.VIEW"
    }
}

/**
 * The Intent for this action. A `tel:` URI dials (Android dials star codes too, so
 * `dialByHand` matters only on iOS), `sms:` and `smsto:` open a new message, anything else
 * is viewed (`https:`, WhatsApp's `https://wa.me/` links). The URI is the core's, unchanged.
 */
fun Action.toActionIntent(): ActionIntent {
    val action = when (uri.substringBefore(':', missingDelimiterValue = "").lowercase()) {
        "tel" -> ActionIntent.DIAL
        "sms", "smsto" -> ActionIntent.SENDTO
        else -> ActionIntent.VIEW
    }
    return ActionIntent(action, uri)
}

/**
 * What the tap leaves on the phone, for a note under the button, so a person whose phone may
 * be looked at can choose another way.
 */
fun traceNotice(trace: ActionTrace): String = when (trace) {
    ActionTrace.CALL_LOG -> "This call will show in your phone's call history."
    ActionTrace.SMS_THREAD -> "This message will stay in your messages until you delete it."
    ActionTrace.MESSAGING_APP_CHAT -> "This chat will stay in the messaging app until you delete it."
    ActionTrace.BROWSER_HISTORY -> "This page will show in your browser history."
}

/** [traceNotice] for this action. */
val Action.traceNotice: String get() = traceNotice(trace)

/**
 * What a call may cost, where the operator says so, for a note under the button: null when it
 * is known to be free and off the bill, or when nothing is known.
 */
val Action.costNotice: String?
    get() = when {
        onPhoneBill == true && free == false -> "This call may cost money and will show on the phone bill."
        onPhoneBill == true -> "This call will show on the phone bill."
        free == false -> "This call may cost money."
        else -> null
    }
