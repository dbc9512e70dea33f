import Domain
import Foundation
import PropertyBased
import Testing

@Suite struct LocalDateTests {
    @Test func dayNumbersRoundTripAndWeekdaysAreRight() {
        #expect(LocalDate(iso: "1970-01-01")!.dayNumber == 0)
        #expect(LocalDate(iso: "2026-11-30")!.isoWeekday == 1)  // a Monday
        #expect(LocalDate(iso: "2026-02-17")!.isoWeekday == 2)  // Tết Bính Ngọ, a Tuesday
        #expect(LocalDate(iso: "2024-02-29") != nil)
        #expect(LocalDate(iso: "2026-02-29") == nil)
        #expect(LocalDate(iso: "2026-13-01") == nil)
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(LocalDate(dayNumber: n).dayNumber == n)
        }
    }

    @Test func localTimeIsUTCPlusSeven() {
        let utc = ISO8601DateFormatter().date(from: "2026-11-29T17:30:00Z")!
        #expect(Fixture.at("2026-11-30", 0, 30) == utc)
        let (date, minute) = VietnamTime.local(Date(timeIntervalSince1970: 1_796_000_000))
        // 1_796_000_000 s is 2026-11-30T00:53:20Z, 07:53 in Vietnam.
        #expect(date.iso == "2026-11-30")
        #expect(minute == 7 * 60 + 53)
        #expect(VietnamTime.format(Fixture.at("2026-02-20", 17)) == "17:00 20/02/2026")
    }
}

@Suite struct WorkingCalendarTests {
    let calendar = Fixture.calendar

    @Test func weekendsAndHolidaysAreNotWorkingDays() {
        #expect(calendar.isWorkingDay(LocalDate(iso: "2026-11-30")!))
        #expect(!calendar.isWorkingDay(LocalDate(iso: "2026-11-28")!))  // Saturday
        #expect(!calendar.isWorkingDay(LocalDate(iso: "2026-11-29")!))  // Sunday
        #expect(!calendar.isWorkingDay(LocalDate(iso: "2026-02-17")!))  // Tết
        #expect(!calendar.isWorkingDay(LocalDate(iso: "2026-04-27")!))  // compensatory for Hùng Kings on a Sunday
        #expect(!calendar.isWorkingDay(LocalDate(iso: "2025-05-02")!))  // swapped bridge day
        #expect(calendar.isWorkingDay(LocalDate(iso: "2025-04-26")!))  // the Saturday worked for it
    }

    @Test func everyShippedHolidayIsADayOff() {
        for day in Fixture.catalog.calendarDays {
            #expect(calendar.isWorkingDay(day.date) == (day.kind == .workingDay), "\(day.date) \(day.name)")
        }
        let years = Set(Fixture.catalog.calendarDays.map(\.date.year))
        #expect(years == [2025, 2026, 2027])
    }

    @Test func workingHoursSkipLunchEveningsAndWeekends() {
        #expect(calendar.adding(workingHours: 1, to: Fixture.at("2026-11-30", 11)) == Fixture.at("2026-11-30", 14))
        #expect(calendar.adding(workingHours: 8, to: Fixture.at("2026-11-30", 10)) == Fixture.at("2026-12-01", 10))
        #expect(calendar.adding(workingHours: 2, to: Fixture.at("2026-11-27", 16)) == Fixture.at("2026-11-30", 8))
        // Starting outside working time counts from the next session.
        #expect(calendar.adding(workingHours: 1, to: Fixture.at("2026-11-28", 22)) == Fixture.at("2026-11-30", 8))
        #expect(calendar.adding(workingHours: 1, to: Fixture.at("2026-11-30", 12)) == Fixture.at("2026-11-30", 14, 30))
    }

    @Test func aDeadlineEndingWithASessionIsThatSessionsEnd() {
        #expect(calendar.adding(workingDays: 1, to: Fixture.at("2026-11-30", 7)) == Fixture.at("2026-11-30", 17))
        #expect(calendar.adding(workingMinutes: 270, to: Fixture.at("2026-11-30", 7)) == Fixture.at("2026-11-30", 11, 30))
        #expect(calendar.adding(workingMinutes: 0, to: Fixture.at("2026-11-30", 20)) == Fixture.at("2026-11-30", 20))
    }

    @Test func workingDaysJumpTheTetBreak() {
        // Friday before Tết Bính Ngọ: the office is closed 14–22 February 2026.
        let due = calendar.adding(workingDays: 2, to: Fixture.at("2026-02-13", 10))
        #expect(due == Fixture.at("2026-02-24", 10))
        #expect(calendar.workingMinutes(from: Fixture.at("2026-02-13", 10), to: due) == 960)
    }

    @Test func aMakeUpSaturdayCounts() {
        // 2025-04-25 (Fri) 16:00 + 2 hours: Saturday 26/4 was worked in exchange for 2/5.
        #expect(calendar.adding(workingHours: 2, to: Fixture.at("2025-04-25", 16)) == Fixture.at("2025-04-26", 8))
    }

    @Test func aSupplementPausesTheClock() {
        let received = Fixture.at("2026-11-02", 9)  // Monday
        let running = Deadline(dueAt: calendar.adding(workingDays: 3, to: received))
        #expect(running.dueAt == Fixture.at("2026-11-05", 9))
        let paused = running.paused(at: Fixture.at("2026-11-03", 9), calendar: calendar)
        #expect(paused.isPaused)
        #expect(paused.remainingMinutesAtPause == 960)
        #expect(!paused.isOverdue(at: Fixture.at("2026-11-20", 9)))  // paused deadlines are never overdue
        let resumed = paused.resumed(at: Fixture.at("2026-11-09", 14), calendar: calendar)
        #expect(!resumed.isPaused)
        #expect(resumed.dueAt == Fixture.at("2026-11-11", 14))
        #expect(resumed.isOverdue(at: Fixture.at("2026-11-11", 14, 1)))
    }

    @Test func aPauseAfterTheDueTimeLeavesNothing() {
        let late = Deadline(dueAt: Fixture.at("2026-11-05", 9))
        let paused = late.paused(at: Fixture.at("2026-11-06", 9), calendar: calendar)
        #expect(paused.remainingMinutesAtPause == 0)
        #expect(paused.resumed(at: Fixture.at("2026-11-07", 10), calendar: calendar).dueAt == Fixture.at("2026-11-09", 7))
    }

    @Test func timelinessIsEarlyOnTimeOrLate() {
        let due = Fixture.at("2026-12-03", 17)
        #expect(calendar.timeliness(finishedAt: Fixture.at("2026-12-02", 16), dueAt: due) == .early)
        #expect(calendar.timeliness(finishedAt: Fixture.at("2026-12-03", 8), dueAt: due) == .onTime)
        #expect(calendar.timeliness(finishedAt: due, dueAt: due) == .onTime)
        #expect(calendar.timeliness(finishedAt: Fixture.at("2026-12-03", 17, 1), dueAt: due) == .late)
    }

    @Test func workingMinutesCountOnlySessions() {
        #expect(calendar.workingMinutes(from: Fixture.at("2026-11-30", 0), to: Fixture.at("2026-12-01", 0)) == 480)
        #expect(calendar.workingMinutes(from: Fixture.at("2026-11-28", 0), to: Fixture.at("2026-11-30", 0)) == 0)
        #expect(calendar.workingMinutes(from: Fixture.at("2026-11-30", 12), to: Fixture.at("2026-11-30", 13)) == 0)
        #expect(calendar.workingMinutes(from: Fixture.at("2026-12-01", 0), to: Fixture.at("2026-11-30", 0)) == 0)
    }

    /// Law: a deadline always falls inside working time on a working day, and exactly the
    /// requested working time separates it from its start.
    @Test func deadlinesLandInWorkingTimeAndRoundTrip() async {
        let base = Fixture.at("2025-01-01", 0)
        let calendar = self.calendar
        await propertyCheck(count: 400, input: Gen.int(in: 0...(3 * 365 * 24 * 60 - 30 * 24 * 60)), Gen.int(in: 1...6000)) {
            offset, minutes in
            let start = base.addingTimeInterval(TimeInterval(offset * 60))
            let due = calendar.adding(workingMinutes: minutes, to: start)
            let (day, minute) = VietnamTime.local(due)
            #expect(calendar.isWorkingDay(day), "due \(day) is not a working day")
            #expect(calendar.sessions.contains { $0.start < minute && minute <= $0.end }, "due at minute \(minute)")
            #expect(calendar.workingMinutes(from: start, to: due) == minutes)
        }
    }

    /// Law: adding in two steps is adding once.
    @Test func addingIsAssociative() async {
        let base = Fixture.at("2026-01-01", 0)
        let calendar = self.calendar
        await propertyCheck(count: 200, input: Gen.int(in: 0...(300 * 24 * 60)), Gen.int(in: 1...3000), Gen.int(in: 1...3000)) {
            offset, a, b in
            let start = base.addingTimeInterval(TimeInterval(offset * 60))
            #expect(
                calendar.adding(workingMinutes: b, to: calendar.adding(workingMinutes: a, to: start))
                    == calendar.adding(workingMinutes: a + b, to: start))
        }
    }
}
