import Foundation
import KinshipCore
import os

/// Forwards the core's log lines to the unified logging system (`os.Logger`), one category per
/// core module (`kinship_core::groups::sync`), so Console.app and `log stream` can filter them:
///
///     OSLogSink.install(subsystem: "app.kinship.ios", maxLevel: .info)
///
/// Privacy: every line is logged `.public`, which os_log otherwise avoids for dynamic strings.
/// That is safe here only because the core redacts its lines at the source: they hold counts,
/// status codes and kinds of events, never what a person wrote, an id, a server address or a
/// key (docs/SECURITY.md, "Logs"). Do not reuse this sink for the app's own strings.
public final class OSLogSink: LogSink, @unchecked Sendable {
    private let subsystem: String
    private let lock = NSLock()
    private var loggers: [String: Logger] = [:]

    public init(subsystem: String) {
        self.subsystem = subsystem
    }

    /// Makes this the process's log sink (replacing any other), forwarding `maxLevel` and above.
    @discardableResult
    public static func install(subsystem: String, maxLevel: LogLevel = .info) -> OSLogSink {
        let sink = OSLogSink(subsystem: subsystem)
        setLogSink(sink: sink, maxLevel: maxLevel)
        return sink
    }

    /// Stops forwarding the core's lines.
    public static func uninstall() {
        setLogSink(sink: nil, maxLevel: .error)
    }

    public func log(level: LogLevel, target: String, message: String) {
        logger(for: target).log(level: Self.osLogType(level), "\(message, privacy: .public)")
    }

    /// The unified logging level for a core level (os_log has no "warning": `.default` is
    /// its "notice", kept on disk like errors).
    static func osLogType(_ level: LogLevel) -> OSLogType {
        switch level {
        case .error:
            return .error
        case .warn:
            return .default
        case .info:
            return .info
        case .debug:
            return .debug
        }
    }

    /// One `Logger` per module, made on first use (the core logs from a few modules only).
    private func logger(for target: String) -> Logger {
        lock.lock()
        defer { lock.unlock() }
        if let logger = loggers[target] {
            return logger
        }
        let logger = Logger(subsystem: subsystem, category: target)
        loggers[target] = logger
        return logger
    }
}
