import ArgumentParser
import Foundation
import Scenario

/// Exit codes: 64 (EX_USAGE) for bad input an analyst can fix, 1 for a runtime failure.
extension ExitCode {
    static let badInput = ExitCode(64)
}

func standardError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Loads and validates a scenario, or prints every problem and exits 64.
func loadScenario(_ path: String, rosterBase: URL? = nil) throws -> Scenario {
    do {
        return try ScenarioLoader.load(path: path, rosterBase: rosterBase)
    } catch {
        standardError("apmrisk: \(path): \(error.description)")
        throw ExitCode.badInput
    }
}
