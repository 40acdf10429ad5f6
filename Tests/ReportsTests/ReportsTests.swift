import Foundation
import Reports
import Testing

struct ProgressFormatTests {
    @Test func styleFollowsTheTerminalAndQuiet() {
        #expect(ProgressFormat.style(quiet: false, terminal: true) == .bar)
        #expect(ProgressFormat.style(quiet: false, terminal: false) == .lines)
        #expect(ProgressFormat.style(quiet: true, terminal: true) == .silent)
        #expect(ProgressFormat.style(quiet: true, terminal: false) == .silent)
    }

    @Test func eachStyleRendersWhatItShould() {
        let bar = ProgressFormat.render(done: 50, total: 200, elapsed: 10, style: .bar)
        #expect(bar.hasPrefix("\r"))                     // redrawn in place
        #expect(bar.contains("50/200 trials") && bar.contains("5.0/s") && bar.contains("ETA 0:30"))
        let line = ProgressFormat.render(done: 50, total: 200, elapsed: 10, style: .lines)
        #expect(line == "apmrisk: 50/200 trials, 5.0 trials/s, about 30 s left\n")
        #expect(!line.contains("\u{1B}"))                // no terminal escapes in logs
        #expect(ProgressFormat.render(done: 50, total: 200, elapsed: 10, style: .silent).isEmpty)
    }

    /// No time left is promised before it can be estimated (under a second of trials, or under 1%
    /// of them), and the library phase has a line of its own.
    @Test func timeLeftWaitsForEnoughTrialsAndLibrariesHaveTheirOwnLine() {
        #expect(ProgressFormat.render(done: 3, total: 10_000, elapsed: 5, style: .bar).hasSuffix("ETA …"))
        #expect(ProgressFormat.render(done: 500, total: 10_000, elapsed: 0.5, style: .bar).hasSuffix("ETA …"))
        #expect(ProgressFormat.render(done: 3, total: 10_000, elapsed: 5, style: .lines) == "apmrisk: 3/10000 trials, 0.6 trials/s\n")
        #expect(ProgressFormat.render(done: 100, total: 10_000, elapsed: 2, style: .bar).hasSuffix("ETA 3:18"))
        #expect(ProgressFormat.renderLibraries(built: 40, total: 160, elapsed: 3, style: .lines)
                == "apmrisk: building member libraries, 40/160 after 3 s\n")
        #expect(ProgressFormat.renderLibraries(built: 40, total: 160, elapsed: 3, style: .bar).hasSuffix("building member libraries 40/160"))
    }
}

struct SHA256Tests {
    @Test func knownDigests() {
        // FIPS 180-4 examples.
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
