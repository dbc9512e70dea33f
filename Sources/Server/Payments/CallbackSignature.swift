import Crypto
import Foundation

/// Provider callback signatures, per Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`,
/// base64, in `webhook-signature: v1,<signature>` (several may be listed, space-separated, while
/// a secret rotates). Checked in constant time, with a ±300 s window on the timestamp.
struct CallbackSignature: Sendable {
    let key: SymmetricKey
    /// How far the timestamp may be from our clock.
    var tolerance: TimeInterval = 300

    static let idHeader = "webhook-id"
    static let timestampHeader = "webhook-timestamp"
    static let signatureHeader = "webhook-signature"

    /// The headers that sign `body` as message `id` at `time`.
    func sign(id: String, at time: Date, body: Data) -> [String: String] {
        let timestamp = String(Int64(time.timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(id).\(timestamp).".utf8) + body, using: key)
        return [Self.idHeader: id, Self.timestampHeader: timestamp, Self.signatureHeader: "v1," + Data(mac).base64EncodedString()]
    }

    /// Why a callback's signature was refused.
    enum Failure: Error, Equatable {
        case missingHeaders
        case stale
        case badSignature
    }

    /// Checks the headers against the raw body; returns the message id.
    func verify(headers: [String: String], body: Data, now: Date) throws(Failure) -> String {
        guard let id = headers[Self.idHeader], !id.isEmpty, id.count <= 255, let timestampText = headers[Self.timestampHeader],
            let signatures = headers[Self.signatureHeader]
        else { throw .missingHeaders }
        guard let timestamp = Int64(timestampText) else { throw .stale }
        guard abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else { throw .stale }
        let signed = Data("\(id).\(timestampText).".utf8) + body
        for candidate in signatures.split(separator: " ") where candidate.hasPrefix("v1,") {
            if let mac = Data(base64Encoded: String(candidate.dropFirst(3))),
                HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: key)
            {
                return id
            }
        }
        throw .badSignature
    }
}
