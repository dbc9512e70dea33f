import Domain
import Foundation
import GRDB

/// The double-entry ledger: every money movement as a balanced set of entries, appended in the
/// same transaction as the movement itself.
///
/// Accounts: `clearing:<method>` (what the provider owes us, or we it), `revenue:<agency>` (what
/// the agency collected). A payment debits clearing and credits revenue; a refund the reverse.
enum Ledger {
    struct Entry: Equatable {
        var account: String
        var debit: Int64
        var credit: Int64
    }

    /// Posts one balanced transaction.
    static func post(
        _ entries: [Entry], kind: String, paymentID: UUID, refundID: UUID?, providerReference: String, at now: Date, db: Database
    ) throws {
        precondition(entries.reduce(0) { $0 + $1.debit } == entries.reduce(0) { $0 + $1.credit }, "unbalanced ledger transaction")
        let transaction = UUID().text
        for entry in entries {
            try db.run("""
                    INSERT INTO ledger_entries (transaction_id, kind, account, debit, credit, payment_id, refund_id, provider_reference, posted_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [transaction, kind, entry.account, entry.debit, entry.credit, paymentID.text, refundID?.text,
                            providerReference, now.stored])
        }
    }

    /// A payment's success: the provider owes the agency the amount.
    static func paymentEntries(_ payment: Payment) -> [Entry] {
        [Entry(account: "clearing:\(payment.method.rawValue)", debit: payment.amount.amount, credit: 0),
         Entry(account: "revenue:\(payment.agencyCode)", debit: 0, credit: payment.amount.amount)]
    }

    /// A refund: the agency gives back part of what it collected.
    static func refundEntries(_ refund: Refund, of payment: Payment) -> [Entry] {
        [Entry(account: "revenue:\(payment.agencyCode)", debit: refund.amount.amount, credit: 0),
         Entry(account: "clearing:\(payment.method.rawValue)", debit: 0, credit: refund.amount.amount)]
    }

    /// Transactions whose debits and credits differ (there should be none).
    static func unbalancedTransactions(_ db: Database) throws -> [String] {
        try String.fetchAll(try db.cachedStatement(sql: "SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING sum(debit) <> sum(credit)"))
    }

    /// The balance (debits − credits) of every account.
    static func balances(_ db: Database) throws -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: try Row.fetchAll(try db.cachedStatement(sql: "SELECT account, sum(debit) - sum(credit) AS balance FROM ledger_entries GROUP BY account")).map {
            ($0["account"] as String, $0["balance"] as Int64)
        })
    }
}
