import Foundation

/// The languages people read: Vietnamese by default, English on request.
public enum Language: String, Sendable, CaseIterable, Codable {
    case vi
    case en

    /// Picks the first supported language of an `Accept-Language`-style list; Vietnamese otherwise.
    public init(preferring header: String?) {
        let tags = (header ?? "")
            .split(separator: ",")
            .map { $0.split(separator: ";").first.map(String.init) ?? "" }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for tag in tags {
            if tag.hasPrefix("vi") { self = .vi; return }
            if tag.hasPrefix("en") { self = .en; return }
        }
        self = .vi
    }
}

/// A human message in both languages the product speaks.
public struct Message: Sendable, Equatable, Codable {
    /// Vietnamese text, with correct diacritics.
    public var vi: String
    /// English text.
    public var en: String

    /// Creates a message.
    public init(vi: String, en: String) {
        self.vi = vi
        self.en = en
    }

    /// The text in the requested language.
    public func text(_ language: Language) -> String {
        switch language {
        case .vi: vi
        case .en: en
        }
    }
}

/// A failure the product explains to people: a stable machine code, the field at fault, a message.
public protocol DomainFailure: Error, Sendable {
    /// A stable, machine-readable code such as `phone.invalid`.
    var code: String { get }
    /// The input field at fault, where there is one.
    var field: String? { get }
    /// The explanation in Vietnamese and English.
    var message: Message { get }
}

extension DomainFailure {
    public var field: String? { nil }
}
