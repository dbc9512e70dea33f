import Domain
import Foundation

/// The reference data in force, read once at start-up and replaced when an edition is installed.
final class CatalogProvider: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ReferenceCatalog

    init(_ catalog: ReferenceCatalog) {
        value = catalog
    }

    var current: ReferenceCatalog { lock.withLock { value } }

    func replace(with catalog: ReferenceCatalog) { lock.withLock { value = catalog } }
}
