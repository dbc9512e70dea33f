import Domain
import Foundation

/// Shared test values: the bundled catalogue, fixed instants in Vietnamese time, fixed ids.
enum Fixture {
    static let catalog: ReferenceCatalog = try! ReferenceCatalog.bundled()
    static let calendar = catalog.workingCalendar

    /// An instant at a local date and time in Vietnam.
    static func at(_ iso: String, _ hour: Int, _ minute: Int = 0) -> Date {
        VietnamTime.instant(LocalDate(iso: iso)!, minute: hour * 60 + minute)
    }

    static let citizenID = UUID(uuidString: "00000000-0000-0000-0000-00000000c001")!
    static let otherCitizenID = UUID(uuidString: "00000000-0000-0000-0000-00000000c002")!
    static let officialID = UUID(uuidString: "00000000-0000-0000-0000-00000000a001")!
    static let supervisorID = UUID(uuidString: "00000000-0000-0000-0000-00000000a002")!
    static let device = UUID(uuidString: "00000000-0000-0000-0000-00000000d001")!

    static let citizen = Actor.citizen(citizenID, device: device)
    static let otherCitizen = Actor.citizen(otherCitizenID)

    static func official(_ agency: String) -> Actor { .staff(officialID, role: .official, agency: agency) }
    static func supervisor(_ agency: String) -> Actor { .staff(supervisorID, role: .supervisor, agency: agency) }

    /// A commune of the province (Phường Phú Khương, former Bến Tre).
    static let commune = "28756"
    static let photo = String(repeating: "ab", count: 32)
}
