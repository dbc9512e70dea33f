import Foundation

/// Accounts recently read, so that authenticating a request needs no database read: a read is a
/// hand-off to a reader connection's queue and back, which on idle cores cost a third of an
/// empty pull's time.
///
/// Writes to an account through this process's store drop it at once (`drop`), and a read that
/// started before a drop is not kept; a change made by another process on the same database (an
/// admin command) is seen within `lifetime`. Bounded: past `capacity` accounts it starts over.
final class AccountCache: @unchecked Sendable {
    static let lifetime: Duration = .seconds(2)
    static let capacity = 10_000

    private let lock = NSLock()
    /// A monotonic clock (injected in tests).
    private let now: @Sendable () -> Duration
    private var entries: [UUID: (account: UserAccount, readAt: Duration)] = [:]
    /// Bumped by every drop: a read that started under an older generation may be stale.
    private var generation = 0

    init(now: @escaping @Sendable () -> Duration = { ContinuousClock.now - AccountCache.origin }) {
        self.now = now
    }

    private static let origin = ContinuousClock.now

    /// The account, when read less than `lifetime` ago.
    func account(_ id: UUID) -> UserAccount? {
        let now = now()
        return lock.withLock {
            guard let entry = entries[id], now - entry.readAt < Self.lifetime else { return nil }
            return entry.account
        }
    }

    /// Where a read starts: pass it to `keep` with what the read found.
    func startRead() -> (generation: Int, at: Duration) {
        let now = now()
        return lock.withLock { (generation, now) }
    }

    /// Keeps an account read since `read` began, unless an account was dropped meanwhile.
    func keep(_ account: UserAccount, readSince read: (generation: Int, at: Duration)) {
        lock.withLock {
            guard generation == read.generation else { return }
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[account.id] = (account, read.at)
        }
    }

    /// Forgets an account that is about to change (call before and after the write).
    func drop(_ id: UUID) {
        lock.withLock {
            generation += 1
            entries[id] = nil
        }
    }
}
