import Domain
import Foundation
import Testing

@Suite struct LocationTests {
    @Test(arguments: [
        (10.2537, 105.9722, "Vĩnh Long"), (10.2415, 106.3759, "Bến Tre"), (9.9347, 106.3453, "Trà Vinh"),
        (10.07, 105.83, "Bình Minh"), (9.80, 106.45, "Châu Thành, Trà Vinh"),
    ])
    func acceptsPointsInsideTheProvince(_ lat: Double, _ lon: Double, _ place: String) throws {
        let point = try GeoPoint(latitude: lat, longitude: lon)
        #expect(point.latitude == lat, "\(place)")
    }

    @Test(arguments: [
        (10.7769, 106.7009, "Hồ Chí Minh City"), (21.0285, 105.8542, "Hà Nội"), (10.0341, 105.7700, "Cần Thơ centre"),
        (10.3600, 106.3600, "Mỹ Tho"), (9.6025, 105.9739, "Sóc Trăng"), (9.9, 107.2, "the South China Sea"),
        (0, 0, "Null Island"),
    ])
    func refusesPointsOutside(_ lat: Double, _ lon: Double, _ place: String) {
        #expect(throws: LocationError.outsideProvince(latitude: lat, longitude: lon), "\(place)") {
            try GeoPoint(latitude: lat, longitude: lon)
        }
    }

    @Test func refusesImpossibleCoordinates() {
        for (lat, lon) in [(91.0, 106.0), (10.0, 181.0), (Double.nan, 106.0), (10.0, Double.infinity)] {
            #expect(throws: LocationError.invalidCoordinate) { try GeoPoint(latitude: lat, longitude: lon) }
        }
    }

    @Test func communeCodesAreCheckedAgainstTheShippedList() throws {
        let directory = Fixture.catalog.communeDirectory
        #expect(try CommuneCode("28756", in: directory).value == "28756")
        #expect(try CommuneCode(" 29857 ", in: directory).value == "29857")
        #expect(throws: LocationError.unknownCommune("26734")) { try CommuneCode("26734", in: directory) }
        #expect(throws: LocationError.malformedCommuneCode("2875")) { try CommuneCode("2875", in: directory) }
        #expect(throws: LocationError.malformedCommuneCode("2875a")) { try CommuneCode("2875a", in: directory) }
    }
}

@Suite struct MoneyTests {
    @Test func amountsAreWholeDongWithinRange() throws {
        #expect(try VND(0).amount == 0)
        #expect(try VND.positive(150_000).amount == 150_000)
        #expect(throws: MoneyError.notPositive(field: "amount", amount: 0)) { try VND.positive(0) }
        #expect(throws: MoneyError.negative(field: "fee", amount: -1)) { try VND(-1, field: "fee") }
        #expect(throws: MoneyError.tooLarge(field: "amount", amount: VND.maximum + 1, limit: VND.maximum)) {
            try VND(VND.maximum + 1)
        }
    }

    @Test func parsesWhatPeopleType() throws {
        for raw in ["150000", "150.000", "150,000", "150 000 đ", "150.000₫", "150000 VND"] {
            #expect(try VND.parse(raw).amount == 150_000, "\(raw)")
        }
        for raw in ["150.5k", "1e6", "", "-5", "12,5 triệu", "99999999999999999999"] {
            #expect(throws: MoneyError.self, "\(raw)") { try VND.parse(raw) }
        }
    }

    @Test func formatsWithDotGroups() {
        #expect(VND(unchecked: 0).formatted == "0 ₫")
        #expect(VND(unchecked: 1_250_000).formatted == "1.250.000 ₫")
        #expect(VND(unchecked: 999).formatted == "999 ₫")
    }

    @Test(arguments: [
        (0, "Không đồng"), (5, "Năm đồng"), (15, "Mười lăm đồng"), (21, "Hai mươi mốt đồng"),
        (105, "Một trăm linh năm đồng"), (1_005, "Một nghìn không trăm linh năm đồng"),
        (150_000, "Một trăm năm mươi nghìn đồng"), (2_024_000, "Hai triệu không trăm hai mươi tư nghìn đồng"),
        (1_000_000_000, "Một tỷ đồng"), (35_000, "Ba mươi lăm nghìn đồng"),
    ] as [(Int64, String)])
    func readsAmountsInVietnameseWords(_ amount: Int64, _ words: String) {
        #expect(VND(unchecked: amount).inWords == words)
    }
}
