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
        // One line per request at saturation, written into one reserved string. The event's own
        // fields win over the provider's, which win over the handler's.
        var all = event.metadata ?? [:]
        if let provided = metadataProvider?.get(), !provided.isEmpty { all.merge(provided) { own, _ in own } }
        if !metadata.isEmpty { all.merge(metadata) { own, _ in own } }
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = Self.timestamp(now())
        line.reserveCapacity(160)
        line += " "
        line += event.level.rawValue
        line += " "
        line += label
        line += ": "
        line += event.message.description
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            line += " "
            line += key
            line += "="
            if case .string(let text) = value { line += Self.quotedIfNeeded(text) } else { line += Self.quotedIfNeeded("\(value)") }
        }
        line += "\n"
        write(line)
    }

    /// `2026-11-30T12:00:00.123Z`: the civil date from the day count (`LocalDate`), no calendar or
    /// time zone, the digits written in place.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (days, dayMilliseconds) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (day, inDay) = dayMilliseconds < 0 ? (days - 1, dayMilliseconds + 86_400_000) : (days, dayMilliseconds)
        let date = LocalDate(dayNumber: Int(day))
        let seconds = Int(inDay / 1000)
        // Years outside 0–9999 do not occur on this server's clock; such a year is written with
        // as many digits as it needs.
        let year = date.year >= 0 && date.year <= 9999 ? nil : String(date.year)
        let length = (year?.utf8.count ?? 4) + 20
        return String(unsafeUninitializedCapacity: length) { out in
            var index = 0
            func put(_ value: Int, _ width: Int) {
                var remaining = value
                for position in stride(from: index + width - 1, through: index, by: -1) {
                    out[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                    remaining /= 10
                }
                index += width
            }
            func put(_ byte: Unicode.Scalar) {
                out[index] = UInt8(ascii: byte)
                index += 1
            }
            if let year {
                for byte in year.utf8 { out[index] = byte; index += 1 }
            } else {
                put(date.year, 4)
            }
            put("-"); put(date.month, 2); put("-"); put(date.day, 2); put("T")
            put(seconds / 3600, 2); put(":"); put(seconds / 60 % 60, 2); put(":"); put(seconds % 60, 2); put(".")
            put(Int(inDay % 1000), 3); put("Z")
            return index
        }
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
