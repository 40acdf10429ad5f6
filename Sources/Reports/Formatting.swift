/// Number formats shared by the human-readable renderers (terminal and HTML).
enum Formatting {
    /// A probability level as a percentile name without the "P": 0.9 → "90", 0.975 → "97.5".
    static func levelLabel(_ level: Double) -> String {
        let p = level * 100
        return p == p.rounded() ? String(Int(p)) : String(format: "%.1f", p)
    }

    /// A whole number with thousands separators: 1234567 → "1,234,567".
    static func groupedDigits(_ x: Int) -> String {
        let digits = String(abs(x))
        var out = x < 0 ? "-" : ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }
}
