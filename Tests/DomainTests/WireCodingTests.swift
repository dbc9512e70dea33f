import Domain
import Foundation
import PropertyBased
import Testing

@Suite struct WireCodingTests {
    @Test func instantsAreWrittenAsRFC3339WithMilliseconds() {
        #expect(WireCoding.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(WireCoding.format(Date(timeIntervalSince1970: 1_796_000_000.1234)) == "2026-11-30T00:53:20.123Z")
        #expect(WireCoding.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
    }

    /// Years 1906–2200: beyond, a Double no longer holds microseconds exactly.
    @Test func formattingAndParsingRoundTripToTheMillisecond() async {
        await propertyCheck(count: 500, input: Gen.int(in: -2_000_000_000_000...7_258_118_400_000)) { millis in
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            let text = WireCoding.format(date)
            #expect(text.count == 24)
            #expect(WireCoding.parse(text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } == Int64(millis))
        }
    }
}
