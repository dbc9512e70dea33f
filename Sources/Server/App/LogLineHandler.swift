import Domain
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's log: one line per event on standard error, the time in UTC, the level, the label,
/// the message, then the metadata as sorted `key=value` pairs (logfmt; a value with a space, a
/// quote or `=` is quoted):
///
///     2026-11-30T12:00:00.123Z info smartvl-server: request method=POST ms=3.2 request_id=5f0c9c2e8d1a4b7e route=/v1/feedback status=201
///
/// swift-log's `StreamLogHandler` writes local time through `localtime`, which has glibc check
/// `/etc/localtime` (a `stat`) on every line, and merges metadata through dictionaries: together
/// 4% of the server's time when filing feedback at saturation, one line per request. UTC needs no
/// time-zone lookup, and is what logs from several machines are compared in.
struct LogLineHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    let label: String
    /// The clock (injected in tests).
    let now: @Sendable () -> Date
    /// Where each line goes, newline included (standard error unless told).
    let write: @Sendable (String) -> Void

    init(label: String, now: @escaping @Sendable () -> Date = { Date() }, write: @escaping @Sendable (String) -> Void = LogLineHandler.standardError) {
        self.label = label
        self.now = now
        self.write = write
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { all.merge(provided) { $1 } }
        if let explicit = event.metadata, !explicit.isEmpty { all.merge(explicit) { $1 } }
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = Self.timestamp(now())
        line += " \(event.level) \(label): \(event.message)"
        for key in all.keys.sorted() {
            line += " \(key)=\(Self.quotedIfNeeded("\(all[key]!)"))"
        }
        line += "\n"
        write(line)
    }

    /// `2026-11-30T12:00:00.123Z`: the civil date from the day count (`LocalDate`), no calendar or time zone.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (days, dayMilliseconds) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (day, inDay) = dayMilliseconds < 0 ? (days - 1, dayMilliseconds + 86_400_000) : (days, dayMilliseconds)
        let date = LocalDate(dayNumber: Int(day))
        func padded(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let seconds = inDay / 1000
        return "\(padded(Int64(date.year), 4))-\(padded(Int64(date.month), 2))-\(padded(Int64(date.day), 2))T\(padded(seconds / 3600, 2)):"
            + "\(padded(seconds / 60 % 60, 2)):\(padded(seconds % 60, 2)).\(padded(inDay % 1000, 3))Z"
    }

    /// The value as is, or in double quotes (with `"` and `\` escaped, line breaks as `\n`, other
    /// control characters as `\u{1b}`) when it is empty or holds a space, a quote, `=` or a control
    /// character: one event is always one line, and a value cannot forge another field or line.
    static func quotedIfNeeded(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar != "\"" && scalar != "=" && scalar != "\\" && scalar.value != 0x7F
        }
        if plain { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            // Other control characters (a terminal's escape sequences among them) as \u{…}.
            case let other where other.value < 0x20 || other.value == 0x7F: quoted += "\\u{\(String(other.value, radix: 16))}"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    /// Writes the line to standard error in one call (lines from several threads do not interleave).
    static let standardError: @Sendable (String) -> Void = { line in writeAll(line, to: 2) }
}

/// Writes all of `text` to a file descriptor, retrying short writes; gives up on an error.
private func writeAll(_ text: String, to descriptor: Int32) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}
