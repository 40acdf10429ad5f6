import ArgumentParser

@main
struct APMRisk: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apmrisk",
        abstract: "Monte Carlo risk exposure of primary-care alternative payment models.",
        discussion: """
        Simulates members, practices and the program under each payment design of a scenario, on \
        one shared random world, and reports percentile exposure of practices by size band.
        """,
        version: "0.1.0",
        subcommands: [Init.self, Validate.self, Run.self, Merge.self, SensitivityCommand.self, SolveCommand.self, ReforecastCommand.self, Report.self, Compare.self])
}
