import ArgumentParser
import Domain
import Foundation
import Testing
@testable import Client

@Suite struct CommandTests {
    /// Every command, recursively.
    static func commands(_ root: any ParsableCommand.Type = Smartvl.self) -> [any ParsableCommand.Type] {
        [root] + root.configuration.subcommands.flatMap { commands($0) }
    }

    @Test func everyCommandShowsAnExampleInItsHelp() {
        let all = Self.commands()
        #expect(all.count > 35)
        for command in all {
            #expect(command.configuration.discussion.contains("Example"), "\(command) has no example")
        }
    }

    @Test func completionScriptsNameTheCommands() {
        for shell in [CompletionShell.bash, .zsh, .fish] {
            let script = Smartvl.completionScript(for: shell)
            #expect(script.contains("feedback") && script.contains("triage"), "\(shell)")
        }
    }

    @Test func profilesLiveUnderTheXDGDataFolderAndRefuseUnsafeNames() throws {
        let profile = try Profile(name: "lan-2", environment: ["XDG_DATA_HOME": "/tmp/xdg", "HOME": "/home/lan"])
        #expect(profile.folder.path == "/tmp/xdg/smartvl/profiles/lan-2")
        let fallback = try Profile(name: "default", environment: ["HOME": "/home/lan"])
        #expect(fallback.folder.path == "/home/lan/.local/share/smartvl/profiles/default")
        for bad in ["", "../x", ".hidden", "a/b", "tên"] {
            #expect(throws: CLIError.self) { try Profile(name: bad, environment: [:]) }
        }
    }

    @Test func sessionsAreWrittenForTheUserOnly() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID().uuidString)")
        let profile = try Profile(name: "p", environment: ["XDG_DATA_HOME": home.path])
        try profile.save(Session(server: "http://127.0.0.1:8080", accessToken: "a", refreshToken: "r"))
        let attributes = try FileManager.default.attributesOfItem(atPath: profile.sessionURL.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        try profile.clearTokens()
        #expect(try profile.loadSession()?.refreshToken == nil)
        #expect(try profile.loadSession()?.server == "http://127.0.0.1:8080")
    }

    @Test func itemsAreFoundByIdPrefixSuffixOrCode() throws {
        let context = try Context(GlobalOptions.parse([]), environment: ["XDG_DATA_HOME": "/tmp/unused"])
        let a = UUID(uuidString: "AB000000-0000-0000-0000-000000000001")!, b = UUID(uuidString: "AB100000-0000-0000-0000-000000000002")!
        let items = [LocalItem<String>(id: a, view: "PA-261130-000001"), LocalItem<String>(id: b, view: "PA-261130-000002")]
        #expect(try context.find("pa-261130-000002", in: items) { [$0] }.id == b)
        #expect(try context.find("ab00", in: items) { [$0] }.id == a)
        #expect(try context.find(a.uuidString.lowercased(), in: items).id == a)
        #expect(try context.find("0002", in: items).id == b, "the end of the id, as lists show it")
        #expect(try context.find(b.shortText, in: items).id == b)
        // Time-ordered ids made in the same minute share their start: lists show their end.
        var random = SplitMix64(seed: 3)
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        let recent = (0..<2).map { LocalItem<String>(id: UUID.timeOrdered(at: now.addingTimeInterval(Double($0)), using: &random), view: "x") }
        #expect(recent[0].id.text.prefix(8) == recent[1].id.text.prefix(8))
        #expect(try context.find(recent[1].id.shortText, in: recent).id == recent[1].id)
        let ambiguous = #expect(throws: CLIError.self) { try context.find("ab", in: items) }
        #expect(ambiguous?.exitCode == 66)
        let twoMatch = #expect(throws: CLIError.self) { try context.find("ab10", in: items + [LocalItem(id: UUID(uuidString: "AB100000-0000-0000-0000-000000000003")!, view: "x")]) }
        #expect(twoMatch?.code == "id.ambiguous")
    }

    @Test func jsonIsRenderedWithSortedKeysAndEscapes() {
        let value = JSON.object(["b": .number(1), "a": .string("Ổ gà \"sâu\"\n"), "c": .array([.bool(true), .null, .number(1.5)])])
        #expect(value.rendered == #"{"a":"Ổ gà \"sâu\"\n","b":1,"c":[true,null,1.5]}"#)
        #expect(JSON.encoding(RatingBody(stars: 5)) == .object(["stars": .number(5)]))
    }

    @Test func statsCountOnTimeAnswersAndOverdueItemsPerGroup() throws {
        let catalog = try ReferenceCatalog.bundled()
        let start = VietnamTime.instant(LocalDate(iso: "2026-11-02")!, minute: 9 * 60)
        func item(_ category: String, answeredAfterDays: Double?, dueInDays: Double, stars: Int? = nil) throws -> FeedbackView {
            let (feedback, _) = try Feedback.submit(
                FeedbackDraft(category: category, title: "Phản ánh thử", description: "Nội dung đủ dài để hợp lệ.", commune: "28756"),
                id: UUID(), by: .citizen(UUID()), at: start, catalog: catalog)
            var view = FeedbackView(feedback, viewer: .citizen(feedback.citizenID), now: start)
            view.receivedAt = start
            view.answerDueAt = start.addingTimeInterval(dueInDays * 86400)
            view.status = answeredAfterDays == nil ? .inProgress : .resolved
            view.resolvedAt = answeredAfterDays.map { start.addingTimeInterval($0 * 86400) }
            view.ratingStars = stars
            return view
        }
        let views = [
            try item("giao-thong", answeredAfterDays: 3, dueInDays: 10, stars: 5),
            try item("giao-thong", answeredAfterDays: 12, dueInDays: 10, stars: 2),
            try item("giao-thong", answeredAfterDays: nil, dueInDays: 5),
            try item("rac-thai", answeredAfterDays: nil, dueInDays: 40),
        ]
        let now = start.addingTimeInterval(20 * 86400)
        let rows = Smartvl.Stats.tally(views, from: nil, to: nil, by: .category, now: now)
        #expect(rows.map(\.key) == ["giao-thong", "rac-thai"])
        #expect(rows[0].received == 3 && rows[0].answered == 2 && rows[0].answeredOnTime == 1 && rows[0].open == 1 && rows[0].overdue == 1)
        #expect(rows[0].ratings == [5, 2])
        #expect(rows[1].open == 1 && rows[1].overdue == 0)
        // Outside the date range: nothing.
        #expect(Smartvl.Stats.tally(views, from: LocalDate(iso: "2026-11-03"), to: nil, by: .month, now: now).isEmpty)
        #expect(Smartvl.Stats.tally(views, from: nil, to: nil, by: .month, now: now).map(\.key) == ["2026-11"])
    }
}
