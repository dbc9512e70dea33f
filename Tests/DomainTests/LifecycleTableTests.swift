import Domain
import Foundation
import Testing

/// Every (status, action, role) of every lifecycle, checked against the transitions PRODUCT.md
/// lists: what is listed is allowed (and leads where it says), everything else is refused.
@Suite struct LifecycleTableTests {
    struct Expected<S: Hashable, A: Hashable> {
        var from: Set<S>
        var to: S?
        var roles: Set<Role>
    }

    /// Runs the whole matrix for one lifecycle, with the owner citizen and staff of the item's agency.
    func checkMatrix<S: LifecycleStatus, A: LifecycleAction>(
        _ lifecycle: Lifecycle<S, A>, expected: [A: Expected<S, A>]
    ) {
        #expect(Set(expected.keys) == Set(A.allCases), "every action has an expectation")
        let item = Stakeholders(ownerID: Fixture.citizenID, agencyCode: "SXD")
        let actors: [Actor] = [
            Fixture.citizen, Fixture.official("SXD"), Fixture.supervisor("SXD"), .system,
            Actor(id: UUID(), role: .admin),
        ]
        var allowedCount = 0
        for action in A.allCases {
            let rule = expected[action]!
            for status in S.allCases {
                for actor in actors {
                    let shouldAllow = rule.from.contains(status) && rule.roles.contains(actor.role)
                    do {
                        let target = try lifecycle.target(of: action, from: status, by: actor, on: item)
                        #expect(shouldAllow, "\(action) from \(status) by \(actor.role) must be refused")
                        #expect(target == (rule.to ?? status), "\(action) from \(status) leads to \(target)")
                        allowedCount += 1
                    } catch {
                        #expect(!shouldAllow, "\(action) from \(status) by \(actor.role) must be allowed: \(error)")
                        if rule.roles.contains(actor.role) {
                            #expect(error == .notAllowedFrom(status, action))
                        } else {
                            #expect(error == .roleNotAllowed(actor.role, action))
                        }
                    }
                }
            }
        }
        #expect(allowedCount > 0)
    }

    @Test func feedback() {
        let staff: Set<Role> = [.official, .supervisor]
        checkMatrix(Feedback.lifecycle, expected: [
            .receive: .init(from: [.submitted], to: .received, roles: [.system]),
            .route: .init(from: [.received], to: .assigned, roles: [.system]),
            .assignOfficial: .init(from: [.assigned, .inProgress, .reopened], to: nil, roles: [.supervisor]),
            .transfer: .init(from: [.assigned, .inProgress, .reopened], to: .assigned, roles: [.supervisor]),
            .start: .init(from: [.assigned, .reopened], to: .inProgress, roles: staff),
            .resolve: .init(from: [.inProgress], to: .resolved, roles: staff),
            .rate: .init(from: [.resolved], to: .closed, roles: [.citizen]),
            .close: .init(from: [.resolved], to: .closed, roles: [.system]),
            .reopen: .init(from: [.resolved], to: .reopened, roles: [.citizen]),
            .reject: .init(from: [.assigned, .inProgress, .reopened], to: .rejected, roles: staff),
            .withdraw: .init(from: [.submitted, .received, .assigned], to: .withdrawn, roles: [.citizen]),
        ])
    }

    @Test func dossier() {
        let staff: Set<Role> = [.official, .supervisor]
        checkMatrix(ServiceRequest.lifecycle, expected: [
            .submit: .init(from: [.draft], to: .submitted, roles: [.citizen]),
            .receive: .init(from: [.submitted], to: .received, roles: staff),
            .startProcessing: .init(from: [.received], to: .inProcessing, roles: staff),
            .requestSupplement: .init(from: [.received, .inProcessing], to: .supplementRequested, roles: staff),
            .supplement: .init(from: [.supplementRequested], to: .inProcessing, roles: [.citizen]),
            .issueApology: .init(from: [.received, .inProcessing], to: nil, roles: staff),
            .markResultReady: .init(from: [.inProcessing], to: .resultReady, roles: staff),
            .complete: .init(from: [.resultReady], to: .completed, roles: staff),
            .reject: .init(from: [.submitted, .received, .inProcessing, .supplementRequested], to: .rejected, roles: staff),
            .withdraw: .init(
                from: [.draft, .submitted, .received, .inProcessing, .supplementRequested], to: .withdrawn, roles: [.citizen]),
        ])
    }

    @Test func invoice() {
        // `issue` creates the invoice and is checked by `Invoice.issue`, not by the table.
        checkMatrix(Invoice.lifecycle, expected: [
            .issue: .init(from: [], to: nil, roles: []),
            .settle: .init(from: [.open], to: .paid, roles: [.system]),
            .cancel: .init(from: [.open], to: .cancelled, roles: [.official, .supervisor]),
            .refundInFull: .init(from: [.paid], to: .refunded, roles: [.system]),
        ])
    }

    @Test func payment() {
        checkMatrix(Payment.lifecycle, expected: [
            .initiate: .init(from: [], to: nil, roles: []),
            .succeed: .init(from: [.pending], to: .succeeded, roles: [.system]),
            .fail: .init(from: [.pending], to: .failed, roles: [.system]),
        ])
    }

    @Test func refund() {
        checkMatrix(Refund.lifecycle, expected: [
            .request: .init(from: [], to: nil, roles: []),
            .succeed: .init(from: [.pending], to: .succeeded, roles: [.system]),
            .fail: .init(from: [.pending], to: .failed, roles: [.system]),
        ])
    }

    @Test func ownershipAndAgencyAreChecked() {
        let item = Stakeholders(ownerID: Fixture.citizenID, agencyCode: "SXD")
        #expect(throws: TransitionError<FeedbackStatus, FeedbackAction>.notOwner(.withdraw)) {
            try Feedback.lifecycle.target(of: .withdraw, from: .assigned, by: Fixture.otherCitizen, on: item)
        }
        #expect(throws: TransitionError<FeedbackStatus, FeedbackAction>.otherAgency(.start)) {
            try Feedback.lifecycle.target(of: .start, from: .assigned, by: Fixture.official("SYT"), on: item)
        }
        let unrouted = Stakeholders(ownerID: Fixture.citizenID, agencyCode: nil)
        #expect(throws: TransitionError<FeedbackStatus, FeedbackAction>.otherAgency(.start)) {
            try Feedback.lifecycle.target(of: .start, from: .assigned, by: Fixture.official("SXD"), on: unrouted)
        }
    }

    @Test func errorsCarryStableCodesAndBothLanguages() {
        let error = FeedbackError.transition(.notAllowedFrom(.closed, .resolve))
        #expect(error.code == "transition.not_allowed")
        #expect(error.message.vi.contains("Đã đóng"))
        #expect(error.message.en.contains("Closed"))
    }
}
