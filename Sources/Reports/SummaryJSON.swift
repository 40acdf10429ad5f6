import Foundation
import Statistics

/// `summary.json`: the summary model itself, with stable key order so equal runs give equal bytes.
public enum SummaryJSON {
    public static func encode(_ summary: RunSummary) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(summary)
    }

    public static func decode(_ data: Data) throws -> RunSummary {
        try JSONDecoder().decode(RunSummary.self, from: data)
    }
}
