import Engine
import Foundation
import Scenario
import Testing

/// The estimate a run is refused by: member libraries counted in memory as well as time.
struct ResourceEstimateTests {
    static func defaultModel(method: SimulationMethod, libraryMembers: Int) throws -> Scenario {
        var scenario = try ScenarioLoader.load(path: CalibrationTests.repositoryRoot.appendingPathComponent("Models/default.yaml").path)
        scenario.simulation.method = method
        scenario.simulation.libraryMembers = libraryMembers
        return scenario
    }

    @Test func libraryMemoryGrowsWithLibraryMembersAndThreads() throws {
        let small = ResourceEstimate(scenario: try Self.defaultModel(method: .aggregate, libraryMembers: 1 << 18), trials: 500)
        let large = ResourceEstimate(scenario: try Self.defaultModel(method: .aggregate, libraryMembers: 1 << 24), trials: 500)
        #expect(small.resultBytes == large.resultBytes)
        // Libraries are split over sets and strata with a floor per library, so 64× the members
        // gives at most 64× the bytes, and well over half of it here.
        #expect(large.libraryBytes > 32 * small.libraryBytes && large.libraryBytes <= 64 * small.libraryBytes)
        // Measured peak at 2^21 library members, 20 trials, 2 threads: 310 MB; at 2^24 the
        // library part alone must be in the gigabytes.
        #expect(large.libraryBytes > 1e9)
        #expect(large.bytes(threads: 8) > large.bytes(threads: 1))
    }

    @Test func memberByMemberRunsBuildNoLibraries() throws {
        let estimate = ResourceEstimate(scenario: try Self.defaultModel(method: .member, libraryMembers: 1 << 24), trials: 500)
        #expect(estimate.libraryBytes == 0 && estimate.libraryBuildBytesPerThread == 0)
    }

    @Test func fewerTrialsAreAdvisedOnlyWhenTheyWouldFit() throws {
        let estimate = ResourceEstimate(scenario: try Self.defaultModel(method: .aggregate, libraryMembers: 1 << 24), trials: 500)
        let everything = estimate.bytes(threads: 2)
        // Room for the libraries and half the results: about half the trials.
        let half = everything - estimate.resultBytes / 2
        let fitting = try #require(estimate.trialsFitting(bytes: half, trials: 500, threads: 2))
        #expect(abs(fitting - 250) <= 1)
        // Less than the libraries alone: no number of trials fits.
        #expect(estimate.trialsFitting(bytes: estimate.libraryBytes / 2, trials: 500, threads: 2) == nil)
    }
}
