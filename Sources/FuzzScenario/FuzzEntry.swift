import Foundation
import Scenario

/// libFuzzer entry point for the scenario and roster loaders (see scripts/fuzz.sh). The first
/// byte chooses the loader; the rest is the file. A loader may reject anything, but must never
/// crash, hang or accept a scenario the engine cannot run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenarioLoaders(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let body = Data(bytes: bytes + 1, count: count - 1)
    if bytes[0] & 1 == 0 {
        if let scenario = try? ScenarioLoader.parse(data: body, file: "fuzz.yaml") {
            checkInvariants(scenario)
        }
    } else {
        _ = try? ScenarioLoader.parseRoster(data: body, file: "fuzz.csv", regions: ["north", "south"], types: ["general"])
    }
    return 0
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
