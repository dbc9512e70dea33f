import Domain
import Foundation
import GRDB

/// Compares the ledger with a provider's settlement file and names every difference.
///
/// The settlement file is CSV with a header line: `provider_reference,kind,amount,settled_at`
/// (`kind` is `payment` or `refund`, `amount` whole đồng). See `Docs/payments.md`.
enum Reconciliation {
    /// One money movement, as the ledger or the provider records it.
    struct Movement: Equatable, Sendable {
        var reference: String
        var kind: String
        var amount: Int64
    }

    /// A difference between the two sides.
    struct Mismatch: Equatable, Sendable, CustomStringConvertible {
        enum Kind: String, Sendable, CaseIterable {
            /// The provider settled it; the ledger has nothing.
            case missingInLedger = "missing_in_ledger"
            /// The ledger has it; the provider did not settle it.
            case missingInSettlement = "missing_in_settlement"
            /// Both have it, with different amounts.
            case amountMismatch = "amount_mismatch"
            /// Both have the reference, as a different kind (payment vs refund).
            case kindMismatch = "kind_mismatch"
            /// The provider lists it more than once.
            case duplicateInSettlement = "duplicate_in_settlement"
            /// A ledger transaction whose debits and credits differ.
            case unbalancedLedger = "unbalanced_ledger"
            /// A settlement line that cannot be read.
            case malformedLine = "malformed_line"
        }

        var kind: Kind
        var reference: String
        var detail: String

        var description: String { "\(kind.rawValue)\t\(reference)\t\(detail)" }
    }

    /// The ledger's movements: one per posted transaction, with the amount it moved.
    static func ledger(_ db: Database) throws -> [Movement] {
        try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT provider_reference, kind, sum(debit) AS amount FROM ledger_entries
            GROUP BY transaction_id ORDER BY min(id)
            """)).map { Movement(reference: $0["provider_reference"], kind: $0["kind"], amount: $0["amount"]) }
    }

    /// Reads a settlement file; unreadable lines become mismatches.
    static func parse(csv: String) -> ([Movement], [Mismatch]) {
        var movements: [Movement] = [], problems: [Mismatch] = []
        for (index, raw) in csv.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || (index == 0 && line.hasPrefix("provider_reference")) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 3, !fields[0].isEmpty, ["payment", "refund"].contains(fields[1]), let amount = Int64(fields[2]), amount > 0 else {
                problems.append(Mismatch(kind: .malformedLine, reference: "line \(index + 1)", detail: line))
                continue
            }
            movements.append(Movement(reference: fields[0], kind: fields[1], amount: amount))
        }
        return (movements, problems)
    }

    /// Every difference between the ledger and the settlement, in a stable order.
    static func compare(ledger: [Movement], settlement: [Movement]) -> [Mismatch] {
        var result: [Mismatch] = []
        var settled: [String: Movement] = [:]
        for movement in settlement {
            if settled[movement.reference] != nil {
                result.append(Mismatch(kind: .duplicateInSettlement, reference: movement.reference, detail: "\(movement.amount)"))
            } else {
                settled[movement.reference] = movement
            }
        }
        var booked: Set<String> = []
        for entry in ledger {
            booked.insert(entry.reference)
            guard let other = settled[entry.reference] else {
                result.append(Mismatch(kind: .missingInSettlement, reference: entry.reference, detail: "\(entry.kind) \(entry.amount)"))
                continue
            }
            if other.kind != entry.kind {
                result.append(Mismatch(kind: .kindMismatch, reference: entry.reference, detail: "ledger \(entry.kind), settlement \(other.kind)"))
            } else if other.amount != entry.amount {
                result.append(Mismatch(kind: .amountMismatch, reference: entry.reference, detail: "ledger \(entry.amount), settlement \(other.amount)"))
            }
        }
        for movement in settlement where !booked.contains(movement.reference) && settled[movement.reference] == movement {
            result.append(Mismatch(kind: .missingInLedger, reference: movement.reference, detail: "\(movement.kind) \(movement.amount)"))
        }
        return result
    }

    /// Reconciles the database's ledger with a settlement file.
    static func run(_ db: Database, csv: String) throws -> [Mismatch] {
        let (settlement, malformed) = parse(csv: csv)
        let unbalanced = try Ledger.unbalancedTransactions(db).map { Mismatch(kind: .unbalancedLedger, reference: $0, detail: "debits ≠ credits") }
        return unbalanced + malformed + compare(ledger: try ledger(db), settlement: settlement)
    }
}
