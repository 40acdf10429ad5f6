import Foundation
import Scenario
import Testing

/// Every file in Tests/Fixtures/bad/ breaks one rule. Its first lines say, as `# expect: ...`,
/// fragments the report must contain (file and line, key path, what was expected). Each must be
/// rejected with all of them, without a crash.
struct BadInputCorpusTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/bad")

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    @Test func theCorpusIsLarge() {
        #expect(Self.files.count >= 50)
    }

    @Test(arguments: files)
    func badFileIsRejectedWithItsExpectedMessage(_ name: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        let bytes = try Data(contentsOf: url)
        // Some files are deliberately not UTF-8: read the expectations byte-tolerantly.
        let expectations = String(decoding: bytes, as: UTF8.self)
            .split(separator: "\n").prefix { $0.hasPrefix("#") }
            .compactMap { line -> String? in
                guard let range = line.range(of: "# expect: ") else { return nil }
                return String(line[range.upperBound...])
            }
        #expect(!expectations.isEmpty, "\(name) has no '# expect:' line")
        do {
            _ = try ScenarioLoader.load(path: url.path)
            Issue.record("\(name) was accepted")
        } catch {
            let report = error.description
            for fragment in expectations {
                #expect(report.contains(fragment), "\(name): missing '\(fragment)' in\n\(report)")
            }
        }
    }
}
