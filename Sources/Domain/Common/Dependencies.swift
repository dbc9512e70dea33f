import Foundation

/// Where "now" comes from: `.live` in the executables, a fixed or moving value in tests.
public struct DateGenerator: Sendable {
    private let generate: @Sendable () -> Date

    /// Creates a generator from a closure.
    public init(_ generate: @escaping @Sendable () -> Date) {
        self.generate = generate
    }

    /// The current instant.
    public func callAsFunction() -> Date { generate() }

    /// The system clock.
    public static let live = DateGenerator { Date() }

    /// Always the same instant.
    public static func constant(_ date: Date) -> DateGenerator {
        DateGenerator { date }
    }
}

/// Where new identifiers come from: time-ordered in the executables, predictable in tests.
public struct IDGenerator: Sendable {
    private let generate: @Sendable () -> UUID

    /// Creates a generator from a closure.
    public init(_ generate: @escaping @Sendable () -> UUID) {
        self.generate = generate
    }

    /// A new identifier.
    public func callAsFunction() -> UUID { generate() }

    /// Time-ordered version-7 UUIDs (`UUID.timeOrdered`): new rows append to their indexes.
    public static let live = IDGenerator { UUID.timeOrdered() }

    /// `00000000-0000-0000-0000-000000000001`, `…0002`, … in order; for tests.
    public static func incrementing() -> IDGenerator {
        let counter = Counter()
        return IDGenerator {
            let n = counter.next()
            return UUID(uuidString: String(format: "00000000-0000-0000-0000-%012llx", n))!
        }
    }
}

/// A thread-safe counter used by the predictable generators.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt64 = 0

    func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
