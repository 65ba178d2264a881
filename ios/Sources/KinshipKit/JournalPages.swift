import Foundation
import KinshipCore

// Paging through the journal (a listing with a filter, or a search) with the core's cursors,
// as an `AsyncSequence` of pages:
//
//     for try await page in journal.pages(filter: JournalFilter(tag: "group"), pageSize: 50) {
//         entries += page        // newest first; the loop ends after the last page
//     }
//
// Each iteration loads one page when it is asked for, so a screen that stops scrolling stops
// loading; a cancelled task ends the loop with `CancellationError`. Cursors only go forward: a
// new sequence starts again from the newest entry.

/// Loads the page at a cursor (`nil`: the first page).
public typealias JournalPageLoader = @Sendable (_ cursor: String?) async throws -> JournalPage

/// The journal's pages, newest first, loaded one at a time as they are iterated.
public struct JournalPages: AsyncSequence, Sendable {
    public typealias Element = [JournalEntry]

    private let load: JournalPageLoader

    /// Pages from any loader: the journal's `list` or `search`, or a fake in a test.
    public init(load: @escaping JournalPageLoader) {
        self.load = load
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(load: load)
    }

    /// Every remaining entry, in order (for a small journal, an export screen, tests).
    public func allEntries() async throws -> [JournalEntry] {
        var entries: [JournalEntry] = []
        for try await page in self {
            entries += page
        }
        return entries
    }

    public struct Iterator: AsyncIteratorProtocol {
        private let load: JournalPageLoader
        private var cursor: String?
        private var atEnd = false

        init(load: @escaping JournalPageLoader) {
            self.load = load
        }

        /// The next page's entries; `nil` after the last page. The last page may be empty
        /// (a journal with no entries, or no match).
        public mutating func next() async throws -> [JournalEntry]? {
            guard !atEnd else { return nil }
            try Task.checkCancellation()
            let page = try await load(cursor)
            cursor = page.nextCursor
            atEnd = page.nextCursor == nil
            return page.entries
        }
    }
}

extension JournalProtocol {
    /// The entries matching `filter`, newest first, in pages of `pageSize` (1 to 500).
    public func pages(filter: JournalFilter = JournalFilter(), pageSize: Int32 = 50) -> JournalPages {
        JournalPages { [self] cursor in
            try self.list(filter: filter, limit: pageSize, cursor: cursor)
        }
    }

    /// The entries containing every word of `query` (as word prefixes, ignoring case and
    /// accents), newest first, in pages of `pageSize`.
    public func searchPages(query: String, pageSize: Int32 = 50) -> JournalPages {
        JournalPages { [self] cursor in
            try await self.search(query: query, limit: pageSize, cursor: cursor)
        }
    }
}
