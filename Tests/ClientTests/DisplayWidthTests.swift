import Domain
import Foundation
import Testing
@testable import Client

@Suite struct DisplayWidthTests {
    @Test func vietnameseIsOneColumnPerLetterInEitherForm() {
        #expect(DisplayWidth.of("Nguyễn") == 6)
        #expect(DisplayWidth.of("Nguyễn".decomposedStringWithCanonicalMapping) == 6)
        #expect(DisplayWidth.of("Đường") == 5)
        #expect(DisplayWidth.of("中文") == 4)
        #expect(DisplayWidth.of("a\u{200B}b") == 2)
    }

    @Test func tablesAlignByDisplayWidthNotByteOrScalarCount() {
        let table = TextTable(header: ["Tên", "Mã"], rows: [["Phường Phú Khương", "28756"], ["Xã Ô Môn".decomposedStringWithCanonicalMapping, "1"]])
        let lines = table.render().split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        // The second column starts at the same display column on every line.
        let starts = lines.enumerated().filter { $0.offset != 1 }.map { _, line in
            DisplayWidth.of(String(line[..<line.range(of: "  ", options: .backwards)!.upperBound]))
        }
        #expect(Set(starts).count == 1)
    }

    @Test func catalogCommandParsesAndListsEveryCommune() throws {
        let command = try Smartvl.parseAsRoot(["catalog", "communes"])
        #expect(command is Smartvl.Catalog)
        let rendered = Smartvl.Catalog.table(.communes, catalog: try ReferenceCatalog.bundled()).render()
        #expect(rendered.split(separator: "\n").count == 124 + 2)
        #expect(throws: (any Error).self) { try Smartvl.parseAsRoot(["catalog", "planets"]) }
    }
}
