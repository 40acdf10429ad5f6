import Foundation
import Scenario
import Testing

struct RosterTests {
    func scenario(withRoster csv: String) throws -> Scenario {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apmrisk-roster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(csv.utf8).write(to: folder.appendingPathComponent("roster.csv"))
        let yaml = validScenario
            .replacingOccurrences(of: "regions: [north]", with: "regions: [north, south]")
            .replacingOccurrences(of: "groups: [{count: 2, members: [300, 600]}]", with: "roster: roster.csv")
        let file = folder.appendingPathComponent("s.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: file))
        return try ScenarioLoader.load(path: file)
    }

    func rosterProblems(_ csv: String) -> String {
        do {
            _ = try scenario(withRoster: csv)
            return ""
        } catch let error as ScenarioError {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    @Test func rosterPracticesAreRead() throws {
        let s = try scenario(withRoster: "id,members,region\nA-1,250,north\n\"B,2\",20000,south\n")
        #expect(s.practices == [Practice(id: "A-1", members: 250, region: 0, type: 0),
                                Practice(id: "B,2", members: 20_000, region: 1, type: 0)])
    }

    @Test func spreadsheetExportsWithByteOrderMarkAndCRLFAreRead() throws {
        let s = try scenario(withRoster: "\u{FEFF}id,members,region\r\nA-1,250,north\r\nB-2,900,south\r\n")
        #expect(s.practices.map(\.id) == ["A-1", "B-2"])
        #expect(s.practices.map(\.members) == [250, 900])
    }

    @Test(arguments: [
        ("id,members\nA,10\n", ["region", "missing from the header"]),
        ("id,members,region,colour\nA,10,north,red\n", ["colour", "not a known column"]),
        ("id,members,region\nA,10,north,extra\n", ["roster.csv:2", "4 fields, expected 3"]),
        ("id,members,region\nA,10,east\n", ["roster.csv:2", "region", "'east'"]),
        ("id,members,region\nA,0,north\n", ["members", "found '0'"]),
        ("id,members,region\nA,10,north\nA,20,north\n", ["'A' is defined twice"]),
        ("id,members,region\n", ["no practices"]),
        ("", ["is empty"]),
    ])
    func badRostersAreReported(csv: String, fragments: [String]) {
        let text = rosterProblems(csv)
        for fragment in fragments {
            #expect(text.contains(fragment), "missing '\(fragment)' in: \(text)")
        }
    }
}
