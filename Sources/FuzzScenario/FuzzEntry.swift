import Foundation
import Scenario

/// libFuzzer entry point for the scenario and roster loaders (see scripts/fuzz.sh). The first
/// byte chooses the mode: 0 the rest is a scenario file, 1 a roster, 2 a recipe from which
/// `HostileYAML` writes a valid scenario with alias chains, alias bombs, deep nesting, odd tags
/// and numbers planted in it (structures a byte mutator almost never reaches). A loader may reject
/// anything, but must never crash, hang or accept a scenario the engine cannot run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenarioLoaders(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let body = Data(bytes: bytes + 1, count: count - 1)
    switch bytes[0] % 3 {
    case 0:
        if let scenario = try? ScenarioLoader.parse(data: body, file: "fuzz.yaml") { checkInvariants(scenario) }
    case 1:
        _ = try? ScenarioLoader.parseRoster(data: body, file: "fuzz.csv", regions: ["north", "south"], types: ["general"])
    default:
        var recipe = HostileYAML(recipe: Array(body))
        if let scenario = try? ScenarioLoader.parse(data: Data(recipe.document().utf8), file: "fuzz.yaml") {
            checkInvariants(scenario)
        }
    }
    return 0
}

/// Writes a scenario (the base file named by APMRISK_FUZZ_BASE, as scripts/fuzz.sh sets it) with
/// up to three of its values replaced by hostile YAML chosen by the recipe bytes.
struct HostileYAML {
    var recipe: [UInt8]
    var position = 0

    static let base: [String] = {
        let path = ProcessInfo.processInfo.environment["APMRISK_FUZZ_BASE"] ?? ""
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "name: fuzz\n"
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }()

    static let tags = ["!!str", "!!int", "!!float", "!!map", "!!seq", "!!null", "!!bool", "!local", "!", "!<tag:yaml.org,2002:str>"]
    static let scalars = ["30", "0.5", "0x1F", "0o17", "1e-320", "5e-324", "1_000", ".inf", "-.nan", "+1", "1.", "~", "''",
                          "\"\\x1b[31mred\"", "\"a\\0b\"", "\"\\u202Eevil\"", "9223372036854775808", "-0"]

    init(recipe: [UInt8]) { self.recipe = recipe }

    mutating func next() -> Int {
        defer { position += 1 }
        return position < recipe.count ? Int(recipe[position]) : 0
    }

    mutating func document() -> String {
        var lines = Self.base
        for _ in 0..<(1 + next() % 3) {
            let value = hostileValue()
            let line = next() % (lines.count + 1)
            if line < lines.count, let colon = lines[line].range(of: ": ") {
                lines[line] = String(lines[line][..<colon.upperBound]) + value
            } else {
                lines.append("hostile_\(line): \(value)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One flow-style value: it fits on the line of the value it replaces.
    mutating func hostileValue() -> String {
        switch next() % 8 {
        case 0:   // one anchor redefined along a chain: each alias is the previous list
            let links = 1 + next() * 64
            return "[&a [x]" + String(repeating: ", &a [*a]", count: links) + "]"
        case 1:   // alias bomb: each level lists the previous one `width` times
            return "[" + bomb(levels: next() % 12, width: 2 + next() % 9).definitions + "]"
        case 2:   // an alias bomb used as a mapping key
            let (definitions, top) = bomb(levels: next() % 12, width: 2 + next() % 9)
            return "[\(definitions), {? *\(top) : 1}]"
        case 3:
            let depth = next() * 4
            return String(repeating: "[", count: depth) + "x" + String(repeating: "]", count: depth)
        case 4:
            return "\(Self.tags[next() % Self.tags.count]) \(Self.scalars[next() % Self.scalars.count])"
        case 5:   // merge key from an anchored mapping
            return "[&m {name: x, rate: 1}, {<<: *m, rate: \(Self.scalars[next() % Self.scalars.count])}]"
        case 6:
            return Self.scalars[next() % Self.scalars.count]
        default:   // the same key twice, nested
            return "{a: {b: 1, b: 2}, a: 3}"
        }
    }

    func bomb(levels: Int, width: Int) -> (definitions: String, top: String) {
        var parts = ["&l0 [x, x]"]
        for level in 1...max(levels, 1) {
            parts.append("&l\(level) [" + Array(repeating: "*l\(level - 1)", count: width).joined(separator: ", ") + "]")
        }
        return (parts.joined(separator: ", "), "l\(max(levels, 1))")
    }
}

/// What every accepted scenario must satisfy for the engine: the loader's promises.
private func checkInvariants(_ scenario: Scenario) {
    precondition(!scenario.practices.isEmpty && !scenario.designs.isEmpty && !scenario.services.isEmpty)
    precondition(abs(scenario.population.classes.reduce(0) { $0 + $1.panelShare } - 1) < 1e-2)
    for design in scenario.designs {
        for track in design.tracks {
            for tier in track.tiers {
                for year in 1...scenario.simulation.programYears {
                    precondition(tier.terms.prospectiveShare.value(year: year).isFinite)
                }
            }
        }
    }
    for practice in scenario.practices {
        precondition(practice.members >= 1 && scenario.regions.indices.contains(practice.region))
    }
}
