import Foundation
@testable import Scenario
import Testing

/// Inputs built to crash or stall a YAML reader, at the sizes that did: the corpus holds small
/// versions, these hold the originals.
struct HostileInputTests {
    /// 50,000 redefinitions of one anchor, each wrapping the previous one (about 450 KB): the tree
    /// it denotes is 50,000 levels deep, and freeing such a tree recursively overflowed the stack.
    @Test func aRedefinedAnchorChainIsRefusedAtTheDepthLimit() {
        let chain = "x: [&a [x]" + String(repeating: ", &a [*a]", count: 50_000) + "]\n"
        let found = problems(validScenario + "\n" + chain)
        #expect(found.count == 1)
        #expect(found.first?.message.contains("nests deeper than \(YAMLBounds.maximumDepth) levels once expanded") == true)
        #expect(found.first?.keyPath.hasPrefix("x[") == true)
    }

    /// Nine levels of ten aliases each ("billion laughs", 2.4 KB) used as a mapping key: hashing
    /// the key for the duplicate check walked 10⁹ nodes.
    @Test func anAliasBombUsedAsAKeyIsRefusedBeforeAnyTreeIsBuilt() {
        var bomb = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            bomb += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let found = problems(validScenario + "\n" + bomb + "? *l9\n: boom\n")
        #expect(found.count == 1)
        #expect(found.first?.message.contains("expand the file to more than 1,000,000 nodes") == true)
    }

    @Test func anchorsThatShareBlocksStillWork() throws {
        let shared = validScenario.replacingOccurrences(
            of: "    reconciliation: {minimum_savings_rate: 0.02, upside_rate: 0.5, downside_rate: 0.3, loss_cap: {benchmark: 0.05}}",
            with: """
                reconciliation: &terms {minimum_savings_rate: 0.02, upside_rate: 0.5, downside_rate: 0.3, loss_cap: {benchmark: 0.05}}
              - name: same terms again
                reconciliation: *terms
            """)
        let scenario = try load(shared)
        #expect(scenario.designs.count == 2)
    }

    /// A file of twenty thousand bad items is answered with a bounded list and a count, and
    /// every problem is still counted (reading is linear; see scripts/bench-validation.sh).
    @Test func manyProblemsAreCountedButListedOnlyUpToALimit() {
        let items = String(repeating: "  - {name: visit, rate: -1, cost: {distribution: gamma, mean: 100, cv: 0.5}}\n", count: 20_000)
        let yaml = validScenario.replacingOccurrences(
            of: "services:\n", with: "services:\n" + items)
        do {
            _ = try load(yaml)
            Issue.record("accepted")
        } catch {
            #expect(error.problems.count == YAMLReader.maximumListed)
            #expect(error.problems.count + error.omitted >= 20_000)
            #expect(error.description.contains("more, not listed"))
        }
    }

    /// Thirteen million empty items (a 62 MiB file, under the size limit) took 7.6 GB to compose;
    /// a file of more values than any scenario needs is refused on the event stream instead.
    @Test func aFileOfMoreValuesThanAnyScenarioIsRefusedBeforeItIsComposed() {
        let items = String(repeating: "  - \n", count: YAMLBounds.maximumWrittenNodes + 1)
        let found = problems(validScenario + "\nfiller:\n" + items)
        #expect(found.count == 1)
        #expect(found.first?.message.contains("holds more than 1,000,000 values") == true)
    }

    @Test(arguments: [
        ("12", 12.0), ("-0.5", -0.5), ("+3", 3.0), (".5", 0.5), ("1e6", 1e6), ("2.5E-3", 2.5e-3), ("7.", 7.0),
        ("0x1F", 31.0), ("0o17", 15.0),
    ])
    func coreSchemaNumbersAreNumbers(_ text: String, _ value: Double) {
        #expect(coreSchemaNumber(text) == value)
    }

    @Test(arguments: ["0x1p3", "infinity", "inf", "nan", "1_000", "1,5", "e5", "1e", "--1", "0x", "0o8", "1.2.3", " 1", "١٢"])
    func otherTextIsNotANumber(_ text: String) {
        #expect(coreSchemaNumber(text) == nil)
    }

    @Test func controlCharactersAreShownAsEscapesAndLongValuesCut() {
        #expect(escapedForDisplay("a\u{1B}[31mb") == "a\\u{1B}[31mb")
        #expect(escapedForDisplay("x\u{0}y\u{202E}z") == "x\\u{0}y\\u{202E}z")
        #expect(escapedForDisplay(String(repeating: "w", count: 100), limit: 10) == String(repeating: "w", count: 10) + "…")
        #expect(escapedForDisplay("Clínica Niños 👩‍⚕️") == "Clínica Niños 👩‍⚕️")
    }

    @Test func aDirectoryOrAPipeIsNamedAsSuch() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apmrisk-hostile-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pipe.yaml").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for (path, words) in [(folder.path, "is a directory"), (fifo, "is not a regular file"),
                              (folder.appendingPathComponent("none.yaml").path, "does not exist")] {
            do {
                _ = try ScenarioLoader.load(path: path)
                Issue.record("\(path) was accepted")
            } catch {
                #expect(error.description.contains(words), "\(error.description)")
            }
        }
    }
}
