import Foundation

/// A day that differs from the ordinary week: a holiday, a compensatory day off, or a make-up
/// working day (a Saturday worked in exchange for a bridge day).
public struct CalendarDay: Sendable, Hashable, Codable {
    /// What kind of exception the day is.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A public holiday (Labour Code 2019, Art. 112) or a day the government added to one.
        case holiday
        /// A day off given because a holiday fell on a weekly rest day.
        case compensatory
        /// A weekend day worked in exchange for a bridge day off.
        case workingDay = "working_day"
    }

    /// The date.
    public var date: LocalDate
    /// The kind of exception.
    public var kind: Kind
    /// The name people know it by, e.g. "Tết Nguyên Đán".
    public var name: String

    /// Creates an exception day.
    public init(date: LocalDate, kind: Kind, name: String) {
        self.date = date
        self.kind = kind
        self.name = name
    }
}

/// Early, on time or late, as the province reports finished work.
public enum Timeliness: String, Sendable, Codable, CaseIterable {
    /// Finished on a day before the due date (trước hạn).
    case early
    /// Finished on the due date, not after the due instant (đúng hạn).
    case onTime = "on_time"
    /// Finished after the due instant (trễ hạn).
    case late
}

/// The working-time calendar of state agencies: sessions on working days, minus holidays.
///
/// Deadlines are counted in working minutes. One working day is the length of one ordinary working
/// day (8 hours with the default sessions), so "3 working days" from Monday 10:00 falls on
/// Thursday 10:00, and a deadline that ends exactly at a session's end is that end (17:00),
/// not the next morning.
public struct WorkingCalendar: Sendable {
    /// A working session as minutes after local midnight, `start..<end`.
    public struct Session: Sendable, Hashable, Codable {
        /// Minutes after midnight the session starts.
        public var start: Int
        /// Minutes after midnight the session ends.
        public var end: Int

        /// Creates a session; `start` must be before `end`.
        public init(start: Int, end: Int) {
            precondition(start < end, "a session must start before it ends")
            self.start = start
            self.end = end
        }
    }

    /// The sessions of a working day, in order and not overlapping.
    public let sessions: [Session]
    /// ISO weekdays (1 Monday … 7 Sunday) that are working days in an ordinary week.
    public let workingWeekdays: Set<Int>
    /// Holidays, compensatory days and make-up working days, by date.
    public let exceptions: [LocalDate: CalendarDay]

    /// Creates a calendar.
    public init(
        sessions: [Session] = [Session(start: 7 * 60, end: 11 * 60 + 30), Session(start: 13 * 60 + 30, end: 17 * 60)],
        workingWeekdays: Set<Int> = [1, 2, 3, 4, 5],
        days: [CalendarDay] = []
    ) {
        precondition(!workingWeekdays.isEmpty, "a calendar needs at least one working weekday")
        self.sessions = sessions.sorted { $0.start < $1.start }
        self.workingWeekdays = workingWeekdays
        self.exceptions = Dictionary(days.map { ($0.date, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Working minutes in one ordinary working day (480 with the default sessions).
    public var minutesPerDay: Int { sessions.reduce(0) { $0 + $1.end - $1.start } }

    /// Whether agencies work on that date.
    public func isWorkingDay(_ date: LocalDate) -> Bool {
        switch exceptions[date]?.kind {
        case .holiday?, .compensatory?: false
        case .workingDay?: true
        case nil: workingWeekdays.contains(date.isoWeekday)
        }
    }

    /// Whether an instant falls inside a working session.
    public func isWorkingTime(_ instant: Date) -> Bool {
        let (date, minute) = VietnamTime.local(instant)
        return isWorkingDay(date) && sessions.contains { $0.start <= minute && minute < $0.end }
    }

    /// The instant `minutes` working minutes after `start`; time outside sessions does not count.
    ///
    /// With `minutes == 0` the result is `start` itself.
    public func adding(workingMinutes minutes: Int, to start: Date) -> Date {
        precondition(minutes >= 0, "working time is added, never subtracted")
        if minutes == 0 { return start }
        var remaining = minutes
        var (date, cursor) = VietnamTime.local(start)
        // Seconds inside the starting minute count as elapsed, so deadlines stay whole minutes.
        for _ in 0..<(366 * 30) {
            if isWorkingDay(date) {
                for session in sessions where session.end > cursor {
                    let from = max(session.start, cursor)
                    let available = session.end - from
                    if remaining <= available { return VietnamTime.instant(date, minute: from + remaining) }
                    remaining -= available
                }
            }
            date = date.adding(days: 1)
            cursor = 0
        }
        preconditionFailure("no working time within 30 years: the calendar has no working days")
    }

    /// The instant `hours` working hours after `start`.
    public func adding(workingHours hours: Int, to start: Date) -> Date {
        adding(workingMinutes: hours * 60, to: start)
    }

    /// The instant `days` working days after `start` (a day is `minutesPerDay` working minutes).
    public func adding(workingDays days: Int, to start: Date) -> Date {
        adding(workingMinutes: days * minutesPerDay, to: start)
    }

    /// Working minutes between two instants; zero when `end` is not after `start`.
    public func workingMinutes(from start: Date, to end: Date) -> Int {
        guard end > start else { return 0 }
        let (startDate, startMinute) = VietnamTime.local(start)
        let (endDate, endMinute) = VietnamTime.local(end)
        var total = 0
        var date = startDate
        while date <= endDate {
            if isWorkingDay(date) {
                let lower = date == startDate ? startMinute : 0
                let upper = date == endDate ? endMinute : 24 * 60
                for session in sessions {
                    let from = max(session.start, lower)
                    let to = min(session.end, upper)
                    if to > from { total += to - from }
                }
            }
            date = date.adding(days: 1)
        }
        return total
    }

    /// The first working instant at or after `instant` (the start of the next session when outside one).
    public func nextWorkingInstant(atOrAfter instant: Date) -> Date {
        if isWorkingTime(instant) { return instant }
        var (date, cursor) = VietnamTime.local(instant)
        for _ in 0..<(366 * 30) {
            if isWorkingDay(date), let session = sessions.first(where: { $0.start >= cursor }) {
                return VietnamTime.instant(date, minute: session.start)
            }
            date = date.adding(days: 1)
            cursor = 0
        }
        preconditionFailure("no working time within 30 years: the calendar has no working days")
    }

    /// Classifies finished work against its due instant: late after it, early on an earlier day.
    public func timeliness(finishedAt finished: Date, dueAt due: Date) -> Timeliness {
        if finished > due { return .late }
        return VietnamTime.local(finished).date < VietnamTime.local(due).date ? .early : .onTime
    }
}

/// A deadline that can pause, as a dossier's does while the citizen supplements it.
public struct Deadline: Sendable, Hashable, Codable {
    /// When the work is due, while running.
    public var dueAt: Date
    /// When the clock was paused, if it is paused.
    public var pausedAt: Date?
    /// Working minutes left when it was paused.
    public var remainingMinutesAtPause: Int?

    /// A running deadline.
    public init(dueAt: Date) {
        self.dueAt = dueAt
    }

    /// Whether the clock is paused.
    public var isPaused: Bool { pausedAt != nil }

    /// Stops the clock at `now`, keeping the working time left (none when already past due).
    public func paused(at now: Date, calendar: WorkingCalendar) -> Deadline {
        guard !isPaused else { return self }
        var copy = self
        copy.pausedAt = now
        copy.remainingMinutesAtPause = calendar.workingMinutes(from: now, to: dueAt)
        return copy
    }

    /// Restarts the clock at `now`: the due instant moves by the working time spent paused.
    public func resumed(at now: Date, calendar: WorkingCalendar) -> Deadline {
        guard isPaused else { return self }
        let remaining = remainingMinutesAtPause ?? 0
        let start = calendar.nextWorkingInstant(atOrAfter: now)
        return Deadline(dueAt: calendar.adding(workingMinutes: remaining, to: start))
    }

    /// Whether the work is overdue at `now` (a paused deadline is never overdue).
    public func isOverdue(at now: Date) -> Bool { !isPaused && now > dueAt }

    enum CodingKeys: String, CodingKey { case dueAt = "due_at", pausedAt = "paused_at", remainingMinutesAtPause = "remaining_minutes_at_pause" }
}
