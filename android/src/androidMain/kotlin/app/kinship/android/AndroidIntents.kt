// Android only (compiled by the Gradle build, not by run-jvm-tests.sh): an ActionIntent as the
// Intent to start.
package app.kinship.android

import android.content.Intent
import android.net.Uri

/** The Intent for this description: `startActivity(action.toActionIntent().toIntent())`. */
fun ActionIntent.toIntent(): Intent = Intent(action, Uri.parse(data))
