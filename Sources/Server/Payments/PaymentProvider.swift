import Domain
import Foundation

/// Delivers a provider's callback (raw body and headers) to the server's callback handling.
struct CallbackSink: Sendable {
    let deliver: @Sendable (Data, [String: String]) async -> Void
}

/// A payment provider (bank gateway, card or wallet processor). The server stores the attempt,
/// then tells the provider; the provider's answer always comes back as a signed callback
/// (`POST /v1/payments/callback`, see `Docs/payments.md`), never as the return value here.
protocol PaymentProvider: Sendable {
    /// The methods it handles.
    var methods: Set<PaymentMethod> { get }
    /// A payment attempt was stored: register it with the gateway (a real adapter), or play the
    /// gateway (the sandbox). `callbacks` reaches the server in-process, for providers that run inside it.
    func started(_ payment: Payment, request: PaymentCreate, callbacks: CallbackSink)
}

/// The sandbox provider shipped with the server: it plays the bank for `sandbox` and (in
/// development) `vietqr` payments, and confirms or declines as the request's `sandbox_outcome`
/// says, signing its callbacks like a real provider.
struct SandboxProvider: PaymentProvider {
    let signature: CallbackSignature
    let scheduler: Scheduler
    let now: DateGenerator
    /// How long a `late` confirmation waits.
    var lateDelay: Duration = .seconds(5)

    var methods: Set<PaymentMethod> { [.sandbox, .vietqr] }

    func started(_ payment: Payment, request: PaymentCreate, callbacks: CallbackSink) {
        let outcome = request.sandboxOutcome ?? .succeed
        let callback = ProviderCallback(
            paymentId: payment.id, providerReference: "SBX-" + payment.id.shortText.uppercased(), status: outcome == .fail ? .failed : .succeeded,
            amount: payment.amount.amount, reason: outcome == .fail ? "Ngân hàng từ chối giao dịch (sandbox)." : nil)
        guard let body = try? WireCoding.encoder().encode(callback) else { return }
        let messageID = "sbx_" + UUID().text.lowercased()
        let signature = signature, now = now
        for _ in 0..<(outcome == .twice ? 2 : 1) {
            scheduler.run(outcome == .late ? lateDelay : .zero) {
                await callbacks.deliver(body, signature.sign(id: messageID, at: now(), body: body))
            }
        }
    }
}
