import ArgumentParser
import Engine
import Reports

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a scenario file and the roster it names; report every problem, run nothing.")

    @Argument(help: "Scenario file (YAML).")
    var scenario: String

    func run() throws {
        let loaded = try loadScenario(scenario)
        let members = loaded.practices.reduce(0) { $0 + $1.members }
        print("\(scenario): valid — \(loaded.practices.count) practices, \(members) members, \(loaded.designs.count) designs, \(loaded.simulation.programYears) program years")
        for warning in TermSheet.warnings(of: loaded) { print("warning: \(warning)") }
        print("")
        print(TermSheetText.render(TermSheet.terms(of: loaded)), terminator: "")
    }
}
