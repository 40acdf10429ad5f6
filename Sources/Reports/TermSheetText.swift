import Statistics

/// The designs' term sheets as plain text, for `apmrisk validate`: design, track (with who it
/// takes), tier, then one indented line per term.
public enum TermSheetText {
    public static func render(_ designs: [DesignTerms]) -> String {
        var out = ""
        for design in designs {
            out += "Design: \(design.design)\n"
            for track in design.tracks {
                let oneTier = track.tiers.count == 1
                out += "  Track: \(track.name) (\(track.placement))\n"
                for tier in track.tiers {
                    let indent = oneTier ? "    " : "      "
                    if !oneTier { out += "    Tier: \(tier.name) (\(tier.placement))\n" }
                    for line in tier.terms { out += "\(indent)\(line.term): \(line.value)\n" }
                }
            }
            out += "\n"
        }
        return out
    }
}
