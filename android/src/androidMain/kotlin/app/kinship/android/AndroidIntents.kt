// Android only (built by Gradle; run-jvm-tests.sh only type-checks it against
// android/jvm-stubs): an ActionIntent as the Intent to start.
package app.kinship.android

import android.content.Intent
import android.net.Uri

/** The Intent for this description: `startActivity(action.toActionIntent().toIntent())`. */
fun ActionIntent.toIntent(): Intent = Intent(action, Uri.parse(data))
