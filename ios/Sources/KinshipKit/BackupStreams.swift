import Foundation
import KinshipCore

// `BackupSink` and `BackupSource` over Foundation's files and streams: a file the app picked
// (`UIDocumentPickerViewController`; start accessing its security-scoped URL first), a
// `FileHandle` it opened, an `OutputStream` / `InputStream` (in memory, a socket, a pipe).
//
// The core calls them on one of its worker threads, one call at a time. Failures are thrown as
// `KinshipError.Storage` with a fixed reason: no path or byte from the file goes into it.

/// Writes a backup through a `FileHandle` the app opened for writing. `finish` flushes to disk
/// and closes it; `abandon` closes it and runs `onAbandon` (delete what was written there: a
/// partial backup is useless and looks like a real one).
public final class FileHandleBackupSink: BackupSink, @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle
    private let onAbandon: (() -> Void)?
    private var closed = false

    public init(_ handle: FileHandle, onAbandon: (() -> Void)? = nil) {
        self.handle = handle
        self.onAbandon = onAbandon
    }

    public func write(bytes: Data) throws {
        try locked {
            guard !closed else { throw BackupStreamFailure.closed }
            do {
                try handle.write(contentsOf: bytes)
            } catch {
                throw BackupStreamFailure.write
            }
        }
    }

    public func finish() throws {
        try locked {
            guard !closed else { throw BackupStreamFailure.closed }
            closed = true
            do {
                try handle.synchronize()
                try handle.close()
            } catch {
                throw BackupStreamFailure.write
            }
        }
    }

    public func abandon() {
        let wasOpen: Bool = locked {
            defer { closed = true }
            return !closed
        }
        if wasOpen {
            try? handle.close()
        }
        onAbandon?()
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// Writes a backup to a file at `url`, all or nothing: the bytes go to a hidden temporary file
/// beside it, which `finish` moves into place (replacing a file already there) and `abandon`
/// deletes. A failed or cancelled export leaves neither a file at `url` nor the temporary one.
public final class FileBackupSink: BackupSink, @unchecked Sendable {
    /// Where the backup ends up.
    public let url: URL
    private let temporaryURL: URL
    private let file: FileHandleBackupSink

    /// Creates the temporary file beside `url` (the folder must exist and be writable).
    public init(url: URL) throws {
        self.url = url
        let temporaryURL = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        guard FileManager.default.createFile(atPath: temporaryURL.path, contents: nil) else {
            throw BackupStreamFailure.create
        }
        let handle: FileHandle
        do {
            handle = try FileHandle(forWritingTo: temporaryURL)
        } catch {
            try? FileManager.default.removeItem(at: temporaryURL)
            throw BackupStreamFailure.create
        }
        self.temporaryURL = temporaryURL
        file = FileHandleBackupSink(handle) {
            try? FileManager.default.removeItem(at: temporaryURL)
        }
    }

    public func write(bytes: Data) throws {
        try file.write(bytes: bytes)
    }

    public func finish() throws {
        try file.finish()
        do {
            if FileManager.default.fileExists(atPath: url.path) {
                _ = try FileManager.default.replaceItemAt(url, withItemAt: temporaryURL)
            } else {
                try FileManager.default.moveItem(at: temporaryURL, to: url)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporaryURL)
            throw BackupStreamFailure.write
        }
    }

    public func abandon() {
        file.abandon()
    }
}

/// Writes a backup to an `OutputStream` (opened here if it is not open yet). `finish` and
/// `abandon` close it; `onAbandon` runs on abandon, to delete or discard what was written.
/// An in-memory stream (`OutputStream.toMemory()`) keeps its bytes after closing:
/// read them with `property(forKey: .dataWrittenToMemoryStreamKey)`.
public final class OutputStreamBackupSink: BackupSink, @unchecked Sendable {
    private let lock = NSLock()
    private let stream: OutputStream
    private let onAbandon: (() -> Void)?

    public init(_ stream: OutputStream, onAbandon: (() -> Void)? = nil) {
        self.stream = stream
        self.onAbandon = onAbandon
    }

    public func write(bytes: Data) throws {
        lock.lock()
        defer { lock.unlock() }
        if stream.streamStatus == .notOpen {
            stream.open()
        }
        try bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            guard let base = buffer.bindMemory(to: UInt8.self).baseAddress else { return }
            var written = 0
            // `write` may take fewer bytes than offered; 0 means the stream is full.
            while written < buffer.count {
                let taken = stream.write(base + written, maxLength: buffer.count - written)
                guard taken > 0 else { throw BackupStreamFailure.write }
                written += taken
            }
        }
    }

    public func finish() throws {
        lock.lock()
        defer { lock.unlock() }
        let failed = stream.streamStatus == .error
        stream.close()
        if failed {
            throw BackupStreamFailure.write
        }
    }

    public func abandon() {
        lock.lock()
        stream.close()
        lock.unlock()
        onAbandon?()
    }
}

/// Reads a backup through a `FileHandle` the app opened for reading; closed when this source
/// is freed.
public final class FileHandleBackupSource: BackupSource, @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle

    public init(_ handle: FileHandle) {
        self.handle = handle
    }

    /// Opens the file at `url` for reading.
    public convenience init(url: URL) throws {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw BackupStreamFailure.open
        }
        self.init(handle)
    }

    deinit {
        try? handle.close()
    }

    public func read(maxBytes: Int32) throws -> Data {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try handle.read(upToCount: Int(max(maxBytes, 0))) ?? Data()
        } catch {
            throw BackupStreamFailure.read
        }
    }
}

/// Reads a backup from an `InputStream` (opened here if it is not open yet; closed at its end).
public final class InputStreamBackupSource: BackupSource, @unchecked Sendable {
    private let lock = NSLock()
    private let stream: InputStream

    public init(_ stream: InputStream) {
        self.stream = stream
    }

    public func read(maxBytes: Int32) throws -> Data {
        lock.lock()
        defer { lock.unlock() }
        if stream.streamStatus == .notOpen {
            stream.open()
        }
        let wanted = Int(max(maxBytes, 0))
        guard wanted > 0, stream.streamStatus != .atEnd, stream.streamStatus != .closed else {
            return Data()
        }
        var buffer = [UInt8](repeating: 0, count: wanted)
        let count = stream.read(&buffer, maxLength: wanted)
        if count < 0 {
            throw BackupStreamFailure.read
        }
        if count == 0 {
            stream.close()
        }
        return Data(buffer.prefix(count))
    }
}

/// The adapters' failures, as the `KinshipError` the core expects from a callback.
enum BackupStreamFailure {
    static let create = KinshipError.Storage(reason: "the backup file could not be created")
    static let open = KinshipError.Storage(reason: "the backup file could not be opened")
    static let write = KinshipError.Storage(reason: "writing the backup failed")
    static let read = KinshipError.Storage(reason: "reading the backup failed")
    static let closed = KinshipError.Storage(reason: "the backup was already closed")
}
