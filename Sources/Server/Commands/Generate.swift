import ArgumentParser
import Domain
import Foundation
import GRDB
import Logging

extension SmartVLServer {
    /// Fills a database with synthetic feedback through the same write path as the API, for
    /// benchmarks (the official queue over a million items) and load tests.
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add synthetic feedback (spread over past days, categories and communes) for benchmarks.",
            discussion: "Example: smartvl-server generate --feedback 1000000 --citizens 10000")

        @OptionGroup var data: DataOptions
        @Option(help: "How many feedback items to add.") var feedback: Int
        @Option(help: "How many citizens file them.") var citizens = 1000
        @Option(help: "Over how many past days they are spread.") var days = 365
        @Option(help: "Items per transaction.") var batch = 5000
        @Option(help: "Seed of the generator (the same seed gives the same data).") var seed: UInt64 = 42

        func validate() throws {
            guard feedback > 0, citizens > 0, days > 0, batch > 0 else { throw ValidationError("counts must be positive") }
        }

        func run() async throws {
            let configuration = data.configuration()
            let logger = Logger(label: "smartvl-server")
            let database = try configuration.prepare(now: Date(), logger: logger)
            let store = SQLiteStore(database)
            try await seedIfEmpty(store, now: Date(), logger: logger)
            guard let catalog = try await store.catalog() else { throw ValidationError("no reference data") }
            let controller = FeedbackController(store: store, catalog: CatalogProvider(catalog), ids: .live)
            var random = SplitMix64(seed: seed)
            var people: [Actor] = []
            for index in 0..<citizens {
                let phone = try PhoneNumber("0919" + String(format: "%06d", index))
                people.append(.citizen(try await store.citizen(phone: phone, newID: UUID.timeOrdered(), at: Date()).id))
            }
            let now = Date()
            let categories = catalog.categories.map(\.code), communes = catalog.communes.map(\.code)
            var done = 0
            let started = ContinuousClock.now
            while done < feedback {
                let count = min(batch, feedback - done)
                var items: [(FeedbackCreate, Actor, Date)] = []
                for offset in 0..<count {
                    let n = done + offset
                    // Spread over the past days, in working hours, oldest first.
                    let day = Double(days - 1 - (n * days / feedback))
                    let at = now.addingTimeInterval(-day * 86400 - Double(random.next() % 28_800))
                    let draft = FeedbackDraft(
                        category: categories[Int(random.next() % UInt64(categories.count))],
                        title: "Phản ánh tổng hợp số \(n + 1)", description: "Nội dung phản ánh tạo tự động để đo hiệu năng hàng đợi.",
                        commune: communes[Int(random.next() % UInt64(communes.count))], isPublic: random.next() % 4 != 0)
                    items.append((FeedbackCreate(id: UUID.timeOrdered(at: at), draft: draft), people[Int(random.next() % UInt64(people.count))], at))
                }
                let prepared = items.map { body, citizen, at in controller.filing(body, by: citizen, at: at) }
                try await database.writer.write { db in
                    for filing in prepared { _ = try controller.create(db, filing) }
                }
                done += count
                FileHandle.standardError.write(Data("\r\(done)/\(feedback)".utf8))
            }
            let seconds = Double((ContinuousClock.now - started).components.seconds)
            print("\nAdded \(feedback) feedback items for \(citizens) citizens in \(Int(seconds)) s.")
        }
    }
}

