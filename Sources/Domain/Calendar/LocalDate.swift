import Foundation

/// A calendar date in Vietnam (Asia/Ho_Chi_Minh), without a time: `2026-02-17`.
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year, e.g. 2026.
    public let year: Int
    /// The month, 1–12.
    public let month: Int
    /// The day of the month, 1–31.
    public let day: Int

    /// Creates a date, or nil when the day does not exist (`2026-02-30`).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...LocalDate.daysIn(month: month, year: year)).contains(day) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The date of day number `n` since 1970-01-01 (proleptic Gregorian; Hinnant's algorithm).
    public init(dayNumber n: Int) {
        let z = n + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    /// Days since 1970-01-01.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO weekday: 1 Monday … 7 Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        let r = (dayNumber + 3) % 7
        return (r < 0 ? r + 7 : r) + 1
    }

    /// The next or previous date.
    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// `YYYY-MM-DD`.
    public var iso: String { zeroPadded(year, width: 4) + "-" + zeroPadded(month, width: 2) + "-" + zeroPadded(day, width: 2) }

    /// `dd/MM/yyyy`, as Vietnamese documents write dates.
    public var vietnamese: String { zeroPadded(day, width: 2) + "/" + zeroPadded(month, width: 2) + "/" + zeroPadded(year, width: 4) }

    public var description: String { iso }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let date = LocalDate(iso: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "date \(raw)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}

/// Vietnam's civil time: UTC+7 all year (no daylight saving since 1975).
public enum VietnamTime {
    /// Seconds east of UTC.
    public static let offset = 7 * 3600

    /// Foundation's calendar fixed to Vietnamese time, for the rare place that needs one.
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: offset)!
        return calendar
    }()

    /// The local date and minute of the day of an instant.
    public static func local(_ date: Date) -> (date: LocalDate, minute: Int) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let dayNumber = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let minute = (seconds - dayNumber * 86400) / 60
        return (LocalDate(dayNumber: dayNumber), minute)
    }

    /// The instant of a local date and minute of the day.
    public static func instant(_ date: LocalDate, minute: Int) -> Date {
        Date(timeIntervalSince1970: TimeInterval(date.dayNumber * 86400 + minute * 60 - offset))
    }

    /// `17:00 20/02/2026`, as shown to people.
    public static func format(_ date: Date) -> String {
        let (day, minute) = local(date)
        return String(format: "%02d:%02d ", minute / 60, minute % 60) + day.vietnamese
    }
}

extension Calendar {
    /// The Gregorian calendar in Vietnamese time.
    public static var vietnam: Calendar { VietnamTime.calendar }
}
