import Domain
import Foundation
import Testing

@Suite struct ReferenceDataTests {
    @Test func theBundledCatalogueIsCompleteAndValid() throws {
        let catalog = try ReferenceCatalog.bundled()
        #expect(catalog.communes.count == 124)
        #expect(catalog.communes.filter { $0.kind == .xa }.count == 105)
        #expect(catalog.communes.filter { $0.kind == .phuong }.count == 19)
        #expect(Set(catalog.communes.map(\.formerProvince)) == ["Bến Tre", "Trà Vinh", "Vĩnh Long"])
        #expect(catalog.agencies.filter { $0.kind == .communeCommittee }.count == 124)
        #expect(catalog.agencies.filter { $0.kind == .department }.count >= 10)
        #expect((10...15).contains(catalog.categories.count))
        #expect(catalog.categories.contains { $0.urgency == .urgent })
        #expect((8...15).contains(catalog.procedures.count))
        #expect(catalog.procedures.contains { $0.fee.amount > 0 })
        #expect(catalog.procedures.contains { $0.fee.amount == 0 })
        #expect(catalog.procedures.allSatisfy { Procedure.isWellFormedCode($0.code) && !$0.fields.isEmpty })
        #expect(catalog.communes.allSatisfy { $0.name == $0.name.precomposedStringWithCanonicalMapping })
    }

    /// The commune directory and the working calendar are made once, and again whenever their
    /// lists change, on a catalogue made, decoded or edited; they are no part of its value.
    @Test func lookupsFollowTheLists() throws {
        var catalog = try ReferenceCatalog.bundled()
        let code = catalog.communes[0].code
        #expect(catalog.communeDirectory.contains(code))
        let decoded = try JSONDecoder().decode(ReferenceCatalog.self, from: try JSONEncoder().encode(catalog))
        #expect(decoded == catalog)
        #expect(decoded.communeDirectory.contains(code))
        catalog.communes.removeFirst()
        #expect(!catalog.communeDirectory.contains(code))
        // A Monday made a holiday.
        let monday = LocalDate(year: 2026, month: 11, day: 30)!
        #expect(catalog.workingCalendar.isWorkingDay(monday))
        catalog.calendarDays.append(CalendarDay(date: monday, kind: .holiday, name: "Thử"))
        #expect(!catalog.workingCalendar.isWorkingDay(monday))
        #expect(catalog != decoded)
    }

    @Test func procedureCodesHaveTheNationalShape() {
        for good in ["1.000948", "2.000908", "1.001193.H38"] { #expect(Procedure.isWellFormedCode(good)) }
        for bad in ["1000948", "1.00948", "12.000948", "1.000948.", "a.000948", "1.000948.H-38"] {
            #expect(!Procedure.isWellFormedCode(bad))
        }
    }

    @Test func brokenFilesAreRefusedAsAWhole() throws {
        let catalog = try ReferenceCatalog.bundled()
        #expect(throws: ReferenceDataError.malformedCSV(line: 2, reason: "type must be xã or phường")) {
            try ReferenceCatalog.parseCommunes(csv: "code,name,type,former_province\n28756,Phường Phú Khương,quận,Bến Tre")
        }
        #expect(throws: ReferenceDataError.malformedCSV(line: 1, reason: "header must be code,name,type,former_province")) {
            try ReferenceCatalog.parseCommunes(csv: "ma,ten\n1,2")
        }
        var broken = catalog
        broken.communes.append(broken.communes[0])
        #expect(throws: ReferenceDataError.duplicateCode(kind: "commune", code: catalog.communes[0].code)) { try broken.validated() }
        broken = catalog
        broken.categories[0].routing = .agency("KHONGCO")
        #expect(throws: ReferenceDataError.danglingReference(kind: "category", code: catalog.categories[0].code, refersTo: "KHONGCO")) {
            try broken.validated()
        }
        broken = catalog
        broken.procedures[0].code = "1.23"
        #expect(throws: ReferenceDataError.invalidRecord(kind: "procedure", code: "1.23", reason: "code is not like 1.000948")) {
            try broken.validated()
        }
        #expect(throws: ReferenceDataError.self) {
            try ReferenceCatalog.load(communesCSV: "code,name,type,former_province\n", catalogJSON: Data("{".utf8))
        }
    }

    @Test func aNewerCommuneListBringsItsCommittees() throws {
        let csv = "code,name,type,former_province\n28756,Phường Phú Khương,phường,Bến Tre\n99999,Xã Mới,xã,Vĩnh Long\n"
        let json = Data(#"{"version":"test","departments":[],"categories":[],"procedures":[],"calendar_days":[]}"#.utf8)
        let catalog = try ReferenceCatalog.load(communesCSV: csv, catalogJSON: json)
        #expect(catalog.agency("UBND-99999")?.name == "UBND Xã Mới")
        #expect(catalog.communeDirectory.contains("99999"))
    }
}
