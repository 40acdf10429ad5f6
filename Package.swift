// swift-tools-version:6.0
import PackageDescription

// The data's path: Scenario (file → validated model) → Engine (simulated world, in parallel)
// → Settlement (payment arithmetic, no randomness) → Statistics (summary model) → Reports.
// Only Sampling imports the GSL C module.
let package = Package(
    name: "apmrisk",
    products: [
        .executable(name: "apmrisk", targets: ["apmrisk"]),
        .executable(name: "apmrisk-bench", targets: ["apmrisk-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", pkgConfig: "gsl", providers: [.apt(["libgsl-dev"])]),
        .target(name: "Locking"),
        .target(name: "Sampling", dependencies: ["CGSL"]),
        .target(name: "Scenario", dependencies: [.product(name: "Yams", package: "Yams")], exclude: ["README.md"]),
        .target(name: "Settlement", dependencies: ["Scenario"]),
        .target(name: "Statistics", dependencies: ["Sampling"]),
        .target(name: "Engine", dependencies: ["Locking", "Sampling", "Scenario", "Settlement", "Statistics"],
                exclude: ["README.md", "Aggregate/README.md", "World/README.md", "Reference/README.md", "Decision/README.md",
                         "Shards/README.md"]),
        .target(name: "Reports", dependencies: ["Statistics"], exclude: ["README.md"]),
        .executableTarget(name: "apmrisk", dependencies: [
            "Engine", "Locking", "Reports", "Scenario",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], exclude: ["README.md"]),
        .executableTarget(name: "apmrisk-bench", dependencies: [
            "Engine", "Reports", "Sampling", "Scenario",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // libFuzzer target for the scenario and roster loaders: build it only through scripts/fuzz.sh.
        .executableTarget(name: "FuzzScenario", dependencies: ["Scenario"]),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling"]),
        .testTarget(name: "ScenarioTests", dependencies: ["Scenario"]),
        .testTarget(name: "SettlementTests", dependencies: ["Settlement", "Scenario"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "Sampling"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Sampling", "Scenario", "Statistics", "Reports"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Statistics"]),
        .testTarget(name: "EndToEndTests", dependencies: ["apmrisk"]),
    ]
)
