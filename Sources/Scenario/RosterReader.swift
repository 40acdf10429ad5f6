import Foundation

/// Reads a practice roster: a CSV with the header `id,members,region,type` (`type` optional).
/// Problems are reported with the roster's file name, line and column name.
struct RosterReader {
    let file: String
    /// How messages name the file (relative to where the analyst runs apmrisk when possible).
    let shownAs: String
    let regions: [String]
    let types: [String]

    static let requiredColumns = ["id", "members", "region"]
    static let columnsHelp = "id,members,region and optionally type, track, tier, pool, social_need_scale"
    static let optionalColumns = ["type", "track", "tier", "pool", "social_need_scale"]

    func read(into reader: YAMLReader) -> [Practice] {
        let rosterReader = YAMLReader(file: shownAs)
        defer { reader.absorb(rosterReader) }
        do {
            return parse(try ScenarioLoader.readRegularFile(file, expected: "a roster CSV with columns \(Self.columnsHelp)"),
                         reader: rosterReader)
        } catch {
            rosterReader.report(line: nil, column: nil, "", error.reason)
            return []
        }
    }

    func parse(_ data: Data, reader rosterReader: YAMLReader) -> [Practice] {
        guard let text = ScenarioLoader.decodeUTF8(data, file: shownAs, reader: rosterReader) else { return [] }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let headerLine = lines.first, !headerLine.isEmpty else {
            rosterReader.report(line: 1, column: nil, "", "is empty; expected a header \(Self.columnsHelp) and one row per practice")
            return []
        }
        let rows = lines.dropFirst().filter { !$0.isEmpty }.count
        guard rows <= ScenarioLoader.maximumPractices else {
            rosterReader.report(line: nil, column: nil, "", "has \(rows) practice rows, more than the \(ScenarioLoader.maximumPractices) a run can hold; split the practices over several scenarios")
            return []
        }
        guard case let .fields(headerFields) = splitCSV(headerLine) else {
            rosterReader.report(line: 1, column: nil, "", "has an unterminated quote in its header; expected \(Self.columnsHelp)")
            return []
        }
        let header = headerFields.map { $0.lowercased() }
        var seenColumns: Set<String> = []
        for column in header where !seenColumns.insert(column).inserted {
            rosterReader.report(line: 1, column: nil, column, "appears twice in the header; expected each column once (\(Self.columnsHelp))")
        }
        let known = Self.requiredColumns + Self.optionalColumns
        for column in header where !known.contains(column) {
            rosterReader.report(line: 1, column: nil, column, "is not a known column; expected id, members, region and optionally type, track, tier, pool, social_need_scale")
        }
        for column in Self.requiredColumns where !header.contains(column) {
            rosterReader.report(line: 1, column: nil, column, "column is missing from the header; expected \(Self.columnsHelp)")
        }
        guard rosterReader.problems.isEmpty else { return [] }
        var practices: [Practice] = []
        var firstLineOfID: [String: Int] = [:]
        for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let lineNumber = offset + 1
            let fields: [String]
            switch splitCSV(line) {
            case let .fields(split): fields = split
            case let .unterminatedQuote(field):
                rosterReader.report(line: lineNumber, column: nil, field <= header.count ? header[field - 1] : "",
                                    "has an unterminated quote in field \(field); expected the quote closed on the same line (roster fields cannot hold line breaks)")
                continue
            }
            if let field = fields.firstIndex(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
                rosterReader.report(line: lineNumber, column: nil, field < header.count ? header[field] : "",
                                    "found '\(escapedForDisplay(fields[field]))', which holds control characters; expected plain text")
                continue
            }
            guard fields.count == header.count else {
                rosterReader.report(line: lineNumber, column: nil, "",
                                    "has \(fields.count) fields, expected \(header.count) (\(header.joined(separator: ",")))")
                continue
            }
            let row = Dictionary(uniqueKeysWithValues: zip(header, fields))
            if let practice = practice(from: row, line: lineNumber, reader: rosterReader) {
                if let first = firstLineOfID[practice.id] {
                    rosterReader.report(line: lineNumber, column: nil, "id", "'\(escapedForDisplay(practice.id))' is defined twice (first on line \(first)); expected unique practice ids")
                    continue
                }
                firstLineOfID[practice.id] = lineNumber
                practices.append(practice)
            }
        }
        if practices.isEmpty && rosterReader.problems.isEmpty {
            rosterReader.report(line: 1, column: nil, "", "has no practices; expected at least one row after the header")
        }
        return practices
    }

    private func practice(from row: [String: String], line: Int, reader: YAMLReader) -> Practice? {
        let id = row["id"] ?? ""
        if id.isEmpty { reader.report(line: line, column: nil, "id", "is empty; expected a practice id") }
        let membersText = row["members"] ?? ""
        let members = Int(membersText)
        if members == nil || members! < 1 || members! > ScenarioLoader.maximumPracticeMembers {
            let tooLarge = (Double(membersText) ?? 0) > Double(ScenarioLoader.maximumPracticeMembers)
            reader.report(line: line, column: nil, "members",
                          "found '\(escapedForDisplay(membersText))'\(tooLarge ? ", which is too large to simulate;" : ",") expected a whole number in [1, \(ScenarioLoader.maximumPracticeMembers)]")
        }
        let regionName = row["region"] ?? ""
        let region = regions.firstIndex(of: regionName)
        if region == nil {
            reader.report(line: line, column: nil, "region", "found '\(escapedForDisplay(regionName))', expected one of the scenario's regions: \(regions.joined(separator: ", "))")
        }
        var type: Int? = 0
        if let typeName = row["type"] {
            type = types.firstIndex(of: typeName)
            if type == nil {
                reader.report(line: line, column: nil, "type", "found '\(escapedForDisplay(typeName))', expected one of the scenario's practice types: \(types.joined(separator: ", "))")
            }
        }
        func optional(_ column: String) -> String? { row[column].flatMap { $0.isEmpty ? nil : $0 } }
        var socialScale: Double? = 1
        if let text = optional("social_need_scale") {
            socialScale = Double(text).flatMap { $0.isFinite && $0 >= 0 && $0 <= 20 ? $0 : nil }
            if socialScale == nil {
                reader.report(line: line, column: nil, "social_need_scale",
                              "found '\(escapedForDisplay(text))', expected a number in [0, 20] (the practice's social-need prevalence relative to the class rates; 1 = the class rates)")
            }
        }
        guard !id.isEmpty, let members, let region, let type, members >= 1,
              members <= ScenarioLoader.maximumPracticeMembers, let socialScale else { return nil }
        return Practice(id: id, members: members, region: region, type: type,
                        track: optional("track"), tier: optional("tier"), pool: optional("pool"),
                        socialNeedScale: socialScale)
    }

    enum SplitLine: Equatable {
        case fields([String])
        /// A quote opened in this field (1-based) is never closed.
        case unterminatedQuote(field: Int)
    }

    /// Splits one CSV line; fields may be double-quoted, with "" for a literal quote.
    func splitCSV(_ line: String) -> SplitLine {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(line).makeIterator()
        while let ch = iterator.next() {
            if quoted {
                if ch == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else {
                            quoted = false
                            if next == "," { fields.append(field); field = "" } else { field.append(next) }
                        }
                    } else { quoted = false }
                } else { field.append(ch) }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                fields.append(field); field = ""
            } else {
                field.append(ch)
            }
        }
        if quoted { return .unterminatedQuote(field: fields.count + 1) }
        fields.append(field)
        return .fields(fields.map { $0.trimmingCharacters(in: .whitespaces) })
    }
}

extension ScenarioLoader {
    /// Reads roster CSV bytes on their own (for fuzzing and tools): the practices, or every
    /// problem found.
    public static func parseRoster(data: Data, file: String, regions: [String], types: [String]) throws(ScenarioError) -> [Practice] {
        let reader = YAMLReader(file: file)
        let practices = RosterReader(file: file, shownAs: file, regions: regions, types: types).parse(data, reader: reader)
        guard reader.problems.isEmpty else { throw reader.error }
        return practices
    }
}
