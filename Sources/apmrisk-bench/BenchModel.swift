import Foundation
import Scenario

/// The speed peer's member model, read from Models/bench-peer.yaml (so the shipped-model tests
/// validate it too).
enum BenchModel {
    static func scenario(path: String) throws -> Scenario {
        try ScenarioLoader.load(path: path)
    }
}
