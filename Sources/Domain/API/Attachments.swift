import Foundation

/// What the server accepts as an attachment (photos of feedback, documents of dossiers).
public enum AttachmentRules {
    /// The largest attachment, in bytes (5 MiB).
    public static let maximumBytes = 5 * 1024 * 1024
    /// The media types accepted, each with the bytes its files start with.
    public static let mediaTypes: [String: [UInt8]] = [
        "image/jpeg": [0xFF, 0xD8, 0xFF],
        "image/png": [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
        "application/pdf": [0x25, 0x50, 0x44, 0x46, 0x2D],
    ]

    /// Checks an upload: a known type whose content really starts like one, within the size limit.
    /// - Throws: `AttachmentError`.
    public static func check(mediaType: String, bytes: some Collection<UInt8>) throws(AttachmentError) {
        let type = mediaType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard let magic = mediaTypes[type] else { throw .unsupportedType(mediaType) }
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= maximumBytes else { throw .tooLarge(limit: maximumBytes) }
        guard bytes.starts(with: magic) else { throw .contentMismatch(type) }
    }
}

/// Why an attachment was refused.
public enum AttachmentError: DomainFailure, Equatable {
    /// Not JPEG, PNG or PDF.
    case unsupportedType(String)
    /// No content.
    case empty
    /// Over 5 MiB.
    case tooLarge(limit: Int)
    /// The content is not what the declared type says.
    case contentMismatch(String)
    /// The content's SHA-256 is not the one in the address.
    case digestMismatch
    /// A write refers to an attachment that was not uploaded (yet).
    case missing(String)
    /// A feedback photo that is a document, not a JPEG or PNG image.
    case notAnImage

    public var code: String {
        switch self {
        case .unsupportedType: "attachment.unsupported_type"
        case .empty: "attachment.empty"
        case .tooLarge: "attachment.too_large"
        case .contentMismatch: "attachment.content_mismatch"
        case .digestMismatch: "attachment.digest_mismatch"
        case .missing: "attachment.missing"
        case .notAnImage: "attachment.not_an_image"
        }
    }

    public var field: String? { "attachment" }

    public var message: Message {
        switch self {
        case .unsupportedType(let type):
            Message(vi: "Chỉ nhận ảnh JPEG, PNG hoặc tệp PDF (nhận được “\(type)”).", en: "Only JPEG, PNG or PDF files are accepted (got “\(type)”).")
        case .empty: Message(vi: "Tệp đính kèm rỗng.", en: "The attachment is empty.")
        case .tooLarge(let limit):
            Message(vi: "Tệp đính kèm vượt quá \(limit / 1024 / 1024) MB.", en: "The attachment is over \(limit / 1024 / 1024) MB.")
        case .contentMismatch(let type):
            Message(vi: "Nội dung tệp không phải là \(type).", en: "The content is not \(type).")
        case .digestMismatch:
            Message(vi: "Mã SHA-256 của nội dung không khớp với địa chỉ tải lên.", en: "The content's SHA-256 does not match the upload address.")
        case .missing(let digest):
            Message(vi: "Chưa tải lên tệp đính kèm \(digest.prefix(12))…", en: "Attachment \(digest.prefix(12))… has not been uploaded.")
        case .notAnImage:
            Message(vi: "Ảnh phản ánh phải là ảnh JPEG hoặc PNG.", en: "Feedback photos must be JPEG or PNG images.")
        }
    }
}

/// An uploaded attachment.
public struct AttachmentView: Codable, Sendable, Equatable {
    public var sha256: String
    public var mediaType: String
    public var size: Int
    public init(sha256: String, mediaType: String, size: Int) {
        self.sha256 = sha256
        self.mediaType = mediaType
        self.size = size
    }

    enum CodingKeys: String, CodingKey { case sha256, mediaType = "media_type", size }
}

extension Endpoints {
    /// Routes whose bodies are bytes, not JSON (outside the typed table).
    public static let binary: [EndpointDescription] = [
        EndpointDescription(name: "uploadAttachment", method: .put, path: "/v1/attachments/{sha256}", access: .signedIn, successStatus: 201),
        EndpointDescription(name: "downloadAttachment", method: .get, path: "/v1/attachments/{sha256}", access: .signedIn, successStatus: 200),
        paymentCallback,
    ]
}
