import Foundation

/// Why a place was refused.
public enum LocationError: DomainFailure, Equatable {
    /// Not five digits.
    case malformedCommuneCode(String)
    /// Five digits, but not a commune of the province in the loaded list.
    case unknownCommune(String)
    /// Latitude or longitude not a finite number in range.
    case invalidCoordinate
    /// A valid coordinate outside Vĩnh Long province.
    case outsideProvince(latitude: Double, longitude: Double)
    /// Neither a point nor a commune was given where a location is required.
    case missing

    public var code: String {
        switch self {
        case .malformedCommuneCode: "commune.malformed"
        case .unknownCommune: "commune.unknown"
        case .invalidCoordinate: "location.invalid"
        case .outsideProvince: "location.outside_province"
        case .missing: "location.missing"
        }
    }

    public var field: String? {
        switch self {
        case .malformedCommuneCode, .unknownCommune: "commune"
        case .invalidCoordinate, .outsideProvince: "location"
        case .missing: "location"
        }
    }

    public var message: Message {
        switch self {
        case .malformedCommuneCode(let raw):
            Message(vi: "Mã xã/phường “\(raw)” phải gồm 5 chữ số.", en: "Commune code “\(raw)” must be 5 digits.")
        case .unknownCommune(let raw):
            Message(
                vi: "Mã xã/phường “\(raw)” không thuộc tỉnh Vĩnh Long.",
                en: "Commune code “\(raw)” is not a commune of Vĩnh Long province.")
        case .invalidCoordinate:
            Message(vi: "Tọa độ không hợp lệ.", en: "The coordinates are not valid.")
        case .outsideProvince(let lat, let lon):
            Message(
                vi: "Vị trí (\(lat), \(lon)) nằm ngoài địa bàn tỉnh Vĩnh Long.",
                en: "The point (\(lat), \(lon)) is outside Vĩnh Long province.")
        case .missing:
            Message(
                vi: "Cần chọn vị trí trên bản đồ hoặc xã/phường.",
                en: "A point on the map or a commune is required.")
        }
    }
}

/// A GSO commune-level code (5 digits) known to the loaded commune list.
public struct CommuneCode: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The five digits.
    public let value: String

    /// Validates a code against the loaded list.
    /// - Throws: `LocationError.malformedCommuneCode` or `.unknownCommune`.
    public init(_ raw: String, in communes: some CommuneDirectory) throws(LocationError) {
        let trimmed = raw.trimmingSpace(newlines: false)
        guard trimmed.count == 5, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .malformedCommuneCode(raw)
        }
        guard communes.contains(trimmed) else { throw .unknownCommune(trimmed) }
        value = trimmed
    }

    /// Wraps a code already validated (read back from storage).
    public init(trusted value: String) {
        self.value = value
    }

    public var description: String { value }

    public static func < (lhs: CommuneCode, rhs: CommuneCode) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// The set of commune codes a `CommuneCode` is checked against.
public protocol CommuneDirectory: Sendable {
    /// Whether the code is a current commune of the province.
    func contains(_ code: String) -> Bool
}

/// A WGS 84 point known to lie inside the province.
public struct GeoPoint: Sendable, Hashable, Codable {
    /// Degrees north.
    public let latitude: Double
    /// Degrees east.
    public let longitude: Double

    /// Validates a point against the province boundary.
    /// - Throws: `LocationError.invalidCoordinate` or `.outsideProvince`.
    public init(latitude: Double, longitude: Double, boundary: ProvinceBoundary = .vinhLong) throws(LocationError) {
        guard latitude.isFinite, longitude.isFinite, (-90...90).contains(latitude), (-180...180).contains(longitude)
        else { throw .invalidCoordinate }
        guard boundary.contains(latitude: latitude, longitude: longitude) else {
            throw .outsideProvince(latitude: latitude, longitude: longitude)
        }
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Wraps a point already validated (read back from storage).
    public init(trustedLatitude latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// A province outline as a polygon of (latitude, longitude) vertices; point-in-polygon by ray casting.
public struct ProvinceBoundary: Sendable, Equatable {
    /// The vertices in order, latitude first.
    public let vertices: [(latitude: Double, longitude: Double)]

    /// Creates a boundary from vertices.
    public init(vertices: [(latitude: Double, longitude: Double)]) {
        self.vertices = vertices
    }

    /// Whether a point lies inside the outline (the even–odd rule).
    public func contains(latitude: Double, longitude: Double) -> Bool {
        var inside = false
        var j = vertices.count - 1
        for i in vertices.indices {
            let (yi, xi) = vertices[i]
            let (yj, xj) = vertices[j]
            if (yi > latitude) != (yj > latitude),
                longitude < (xj - xi) * (latitude - yi) / (yj - yi) + xi
            {
                inside.toggle()
            }
            j = i
        }
        return inside
    }

    public static func == (lhs: ProvinceBoundary, rhs: ProvinceBoundary) -> Bool {
        lhs.vertices.elementsEqual(rhs.vertices) { $0 == $1 }
    }

    /// A coarse outline of Vĩnh Long after the July 2025 merger (former Vĩnh Long, Bến Tre and
    /// Trà Vinh), drawn generously around the land and river islands with a margin of about 2 km.
    /// It refuses points clearly elsewhere (Hồ Chí Minh City, Cần Thơ's centre, the open sea);
    /// a surveyed outline can replace it as reference data.
    public static let vinhLong = ProvinceBoundary(vertices: [
        (10.33, 105.84),  // north-west, Mang Thít / Long Hồ on the Cổ Chiên
        (10.34, 106.05),  // north, Tiền river (Mỹ Tho lies beyond it)
        (10.31, 106.40),  // Châu Thành, Bến Tre on the Tiền river
        (10.27, 106.72),  // north-east, Bình Đại
        (10.02, 106.82),  // east coast, Ba Tri / Thạnh Phú
        (9.72, 106.62),  // south-east coast, Duyên Hải
        (9.52, 106.36),  // south, Cù Lao Dung across the Hậu river is excluded
        (9.70, 106.10),  // south-west, Cầu Kè / Tiểu Cần
        (9.92, 105.88),  // west, Trà Ôn / Vũng Liêm on the Hậu river
        (10.06, 105.82),  // Bình Minh, east bank of the Hậu river (Cần Thơ city lies west of it)
        (10.25, 105.79),  // north-west corner
    ])
}
