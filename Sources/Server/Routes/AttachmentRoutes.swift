import Crypto
import Domain
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOCore

extension SQLiteStore {
    /// Refuses a write that refers to attachments never uploaded, or (for photos) to documents.
    static func requireAttachments(_ db: Database, _ digests: [String], imagesOnly: Bool = false) throws {
        for digest in digests {
            guard let type = try String.fetchOne(try db.cachedStatement(sql: "SELECT media_type FROM attachments WHERE sha256 = ?"), arguments: [digest]) else {
                throw AttachmentError.missing(digest)
            }
            if imagesOnly, !type.hasPrefix("image/") { throw AttachmentError.notAnImage }
        }
    }
}

extension APIRouter {
    /// Content-addressed uploads (`PUT`, retry-safe) and downloads for whoever may see an item using them.
    func addAttachmentRoutes(store: SQLiteStore) {
        let auth = self.auth, now = self.now
        router.put("/v1/attachments/:sha256") { request, context -> Response in
            guard let user = try await Self.authenticate(request, access: .signedIn, auth: auth) else { throw APIError.unauthenticated }
            let digest = try Self.digestParameter(context)
            let bytes = try await request.body.collect(upTo: AttachmentRules.maximumBytes)
            let data = Data(buffer: bytes)
            let mediaType = request.headers[.contentType] ?? ""
            try AttachmentRules.check(mediaType: mediaType, bytes: data)
            guard SHA256.hash(data: data).map({ String(format: "%02x", $0) }).joined() == digest else {
                throw AttachmentError.digestMismatch
            }
            let type = AttachmentRules.mediaTypes.keys.first { mediaType.lowercased().hasPrefix($0) }!
            let created = try await store.database.write { db -> Bool in
                if try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM attachments WHERE sha256 = ?"), arguments: [digest]) == true { return false }
                try db.run("INSERT INTO attachments (sha256, media_type, size, content, uploader_id, created_at) VALUES (?, ?, ?, ?, ?, ?)", [digest, type, data.count, data, user.id.text, now().stored])
                return true
            }
            let body = try WireCoding.encoder().encode(AttachmentView(sha256: digest, mediaType: type, size: data.count))
            return Response(
                status: created ? .created : .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("/v1/attachments/:sha256") { request, context -> Response in
            guard let user = try await Self.authenticate(request, access: .signedIn, auth: auth) else { throw APIError.unauthenticated }
            let digest = try Self.digestParameter(context)
            let found = try await store.database.reader.read { db -> (String, Data)? in
                guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM attachments WHERE sha256 = ?"), arguments: [digest]) else { return nil }
                let uploader = row.uuid("uploader_id")
                var visible = user.role == .admin || uploader == user.id
                if !visible {
                    // Anyone who may read an item that uses it.
                    let feedback = try Row.fetchAll(try db.cachedStatement(sql: "SELECT \(Feedback.selection) FROM feedback WHERE instr(photos, ?) > 0"), arguments: [digest])
                    visible = try feedback.contains { FeedbackController.mayRead(try Feedback(row: $0), user) }
                }
                if !visible {
                    let requests = try Row.fetchAll(try db.cachedStatement(sql: "SELECT \(ServiceRequest.selection) FROM service_requests WHERE instr(documents, ?) > 0"), arguments: [digest])
                    visible = try requests.contains { DossierController.mayRead(try ServiceRequest(row: $0), user) }
                }
                return visible ? (row["media_type"], row["content"]) : nil
            }
            guard let (type, data) = found else { throw APIError.notFound("attachment") }
            return Response(
                status: .ok, headers: [.contentType: type, .cacheControl: "private, max-age=31536000, immutable"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    static func digestParameter(_ context: AppContext) throws -> String {
        guard let digest = context.parameters.get("sha256"), isSHA256Hex(digest) else { throw APIError.notFound("attachment") }
        return digest
    }
}
