import Foundation

/// JSON as every results file writes it: indented, keys sorted, so two runs diff line by line.
public func prettyJSON<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try encoder.encode(value)
}
