// Backups to and from the streams Android hands out (ContentResolver.openOutputStream and
// openInputStream for a document the person picked with the Storage Access Framework).
package app.kinship.android

import app.kinship.core.BackupProgress
import app.kinship.core.BackupSink
import app.kinship.core.BackupSource
import app.kinship.core.KinshipException
import java.io.IOException
import java.io.InputStream
import java.io.OutputStream

/**
 * A [BackupSink] that writes to [stream] and closes it when the backup is complete.
 *
 * On failure or cancellation the core calls `abandon()`: the stream is closed and [onAbandon]
 * runs, to delete the partial document (`DocumentsContract.deleteDocument`), since a partial
 * backup looks like a real one. A failing stream is reported as `KinshipException.Storage`
 * naming only the kind of failure (a message may hold a file name).
 */
class OutputStreamBackupSink(
    private val stream: OutputStream,
    private val onAbandon: () -> Unit = {},
) : BackupSink {
    override fun write(bytes: ByteArray) = io("write") { stream.write(bytes) }

    override fun finish() = io("finish") {
        stream.flush()
        stream.close()
    }

    override fun abandon() {
        try {
            stream.close()
        } catch (_: IOException) {
            // Closing a stream that already failed may fail again; the document goes either way.
        }
        onAbandon()
    }
}

/** A [BackupSource] that reads from [stream] and closes it at its end. */
class InputStreamBackupSource(private val stream: InputStream) : BackupSource {
    override fun read(maxBytes: Int): ByteArray = io("read") {
        val buffer = ByteArray(maxBytes.coerceIn(0, MAX_READ_BYTES))
        // A stream may return 0 bytes before its end (a pipe); only -1 is the end.
        var read = 0
        while (read == 0 && buffer.isNotEmpty()) {
            read = stream.read(buffer)
        }
        if (read < 0) {
            stream.close()
            ByteArray(0)
        } else {
            buffer.copyOf(read)
        }
    }

    private companion object {
        /** The core asks for 64 KiB at a time; a larger ask is served in pieces of this. */
        const val MAX_READ_BYTES = 1 shl 20
    }
}

/** A [BackupProgress] that calls [onProgress] (on a worker thread: post to the main thread for views). */
class BackupProgressCallback(private val onProgress: (done: Int, total: Int) -> Unit) : BackupProgress {
    override fun onProgress(done: Int, total: Int) = onProgress.invoke(done, total)
}

private inline fun <T> io(what: String, block: () -> T): T = try {
    block()
} catch (e: IOException) {
    throw KinshipException.Storage("the backup stream failed to $what: ${e.javaClass.simpleName}")
}
