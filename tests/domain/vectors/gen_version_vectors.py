#!/usr/bin/env python3
"""Generate version-ordering vectors from each ecosystem's own tool, for tests/domain/test_versions.py.

Each output file holds lines ``A <op> B`` (op ``<``, ``=`` or ``>``) as the real tool ordered them, after a
``#`` header naming the tool and its version. The tests read the committed files and need no tool.

Pairs are drawn at random (fixed seed) from tokens that exercise each ecosystem's corners: epochs, tildes
and carets, qualifiers and their aliases, leading zeros, huge numbers, digit/letter transitions,
separators. Half of the pairs are a version and a small mutation of it, so that many are close or equal.
A pair the tool rejects is dropped; no pair is ever judged by ossdesk's own code.

Tools (Debian 12 packages unless said otherwise; the generator skips a tool it cannot find):

==========  ===============================================================================================
file        tool
==========  ===============================================================================================
dpkg        ``dpkg --compare-versions`` (pairs with a syntax warning on stderr are dropped)
rpm         ``rpm.labelCompare`` from python3-rpm, run by /usr/bin/python3, EVR split by ``rpm.ver``
            (``apt-get install -y rpm python3-rpm``)
rubygems    ``Gem::Version#<=>`` (``apt-get install -y ruby``); pairs failing ``Gem::Version.correct?``
            are dropped
npm         node-semver 7, ``semver.compare(a, b, true)`` (loose, as npm); installed with
            ``npm install --prefix <temp dir> semver@7`` unless ``--node-semver DIR`` points at one
crates      the Rust ``semver`` crate, Debian's ``librust-semver-dev`` built offline with cargo;
            ``Version::cmp`` with build metadata cleared, i.e. SemVer precedence
go          ``golang.org/x/mod/semver.Compare`` (``apt-get install -y golang-go golang-golang-x-mod-dev``),
            run in GOPATH mode; one side of some lines is written without its ``v``, as OSV writes Go
            versions (the tool always sees the ``v``)
maven       ``org.apache.maven.artifact.versioning.ComparableVersion`` from Debian's maven-artifact jar
            (``java -cp <jar> ...ComparableVersion v1 v2 v3 ...`` compares neighbours)
packagist   PHP's ``version_compare`` (``apt-get install -y php-cli``); versions that ossdesk rejects as
            unorderable by version_compare (``#``, a leading non-alphanumeric, a trailing separator) and
            ``v``-prefixed ones (ossdesk strips the ``v``, PHP does not) are not generated
==========  ===============================================================================================

Usage::

    python tests/domain/vectors/gen_version_vectors.py [--only dpkg,maven] [--pairs 3000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
Pair = tuple[str, str]


# --- pools ------------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Tokens written as one space-separated string, to keep the pools readable."""
    return text.split()


def _mutate(rng: random.Random, version: str, pieces: list[str]) -> str:
    """A small random edit of ``version``: insert, append, delete or replace with a piece."""
    op = rng.randrange(5)
    pos = rng.randrange(len(version) + 1)
    if op == 0:
        return version[:pos] + rng.choice(pieces) + version[pos:]
    if op == 1:
        return version + rng.choice(pieces)
    if op == 2 and len(version) > 1:
        return version[: pos - 1] + version[pos:] if pos else version[1:]
    if op == 3 and pos < len(version):
        return version[:pos] + rng.choice(pieces) + version[pos + 1 :]
    return version + rng.choice(pieces) + rng.choice(pieces)


def _pairs(
    rng: random.Random, count: int, make: Callable[[], str], pieces: list[str], ok: Callable[[str], bool]
) -> list[Pair]:
    """``count`` distinct pairs: half a version against a mutation of it, half two random versions."""
    seen: set[Pair] = set()
    pairs: list[Pair] = []
    attempts = 0
    while len(pairs) < count and attempts < count * 50:
        attempts += 1
        a = make()
        b = _mutate(rng, a, pieces) if rng.random() < 0.5 else make()
        if rng.random() < 0.5:
            a, b = b, a
        if a == b and rng.random() < 0.8:
            continue
        if not (ok(a) and ok(b)) or (a, b) in seen:
            continue
        seen.add((a, b))
        pairs.append((a, b))
    return pairs


def _collect(
    rng: random.Random,
    count: int,
    make: Callable[[], str],
    pieces: list[str],
    ok: Callable[[str], bool],
    ask: Callable[[list[Pair]], list[str]],
) -> list[tuple[str, str, str]]:
    """Draw pairs and ask the tool until ``count`` of them are answered (the tool rejects some)."""
    kept: list[tuple[str, str, str]] = []
    seen: set[Pair] = set()
    for _ in range(20):
        fresh = [p for p in _pairs(rng, count, make, pieces, ok) if p not in seen]
        seen.update(fresh)
        kept += [(a, op, b) for (a, b), op in zip(fresh, ask(fresh), strict=True) if op in ("<", "=", ">")]
        if len(kept) >= count:
            break
    return kept[:count]


def _compose(rng: random.Random, first: list[str], rest: list[str], most: int) -> str:
    return rng.choice(first) + "".join(rng.choice(rest) for _ in range(rng.randint(0, most)))


def _no_space(version: str) -> bool:
    return bool(version) and not any(c.isspace() for c in version)


# --- running tools ------------------------------------------------------------------------------------------


def _run_lines(cmd: list[str], pairs: list[Pair], env: dict[str, str] | None = None) -> list[str]:
    """Feed ``a<TAB>b`` lines to a tool, one answer (``<``, ``=``, ``>`` or ``!``) per line back."""
    text = "".join(f"{a}\t{b}\n" for a, b in pairs)
    result = subprocess.run(cmd, input=text, capture_output=True, text=True, check=True, env=env)
    answers = result.stdout.split("\n")[: len(pairs)]
    if len(answers) != len(pairs):
        raise RuntimeError(f"{cmd[0]} answered {len(answers)} of {len(pairs)} pairs: {result.stderr[:500]}")
    return answers


def _tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError:
        return "unknown"
    return (
        (out.stdout or out.stderr).strip().splitlines()[0]
        if (out.stdout or out.stderr).strip()
        else "unknown"
    )


# --- ecosystems ---------------------------------------------------------------------------------------------


def gen_dpkg(rng: random.Random, count: int) -> tuple[str, list[tuple[str, str, str]]]:
    if not shutil.which("dpkg"):
        raise LookupError("dpkg not found")
    digits = ["0", "00", "1", "01", "2", "9", "10", "100", "007"]
    pieces = _words(". + ~ ~~ a b z A Z 0 1 9 10 01 ~rc1 ~beta +dfsg .0 +b1 ~~a . .1 a1 +really")
    revisions = [
        "",
        "",
        *_words(
            "-0 -1 -2 -10 -1~deb10u1 -1+deb10u1 -1ubuntu0.1 -0ubuntu1 -1.1 -a -1~ -1~~ -1+b1 "
            "-00 -0.0 -1ubuntu1~18.04 -2+ -~"
        ),
    ]
    epochs = ["", "", "", "0:", "1:", "2:", "10:", "01:"]

    def make() -> str:
        epoch = rng.choice(epochs)
        upstream = _compose(rng, digits, pieces, 4)
        if epoch and rng.random() < 0.1:
            upstream += ":" + rng.choice(digits)
        revision = rng.choice(revisions)
        if revision and rng.random() < 0.1:
            upstream += "-" + rng.choice(digits)
        return epoch + upstream + revision

    def one(pair: Pair) -> str:
        a, b = pair
        lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b], capture_output=True, text=True)
        if lt.stderr:
            return "!"
        if lt.returncode == 0:
            return "<"
        eq = subprocess.run(["dpkg", "--compare-versions", a, "eq", b], capture_output=True, text=True)
        return "=" if eq.returncode == 0 else ">"

    def ask(pairs: list[Pair]) -> list[str]:
        with ThreadPoolExecutor(max_workers=16) as pool:
            return list(pool.map(one, pairs))

    triples = _collect(rng, count, make, [*pieces, "-1", "1:", "-"], _no_space, ask)
    return _tool_version(["dpkg", "--version"]), triples


_RPM_SCRIPT = r"""
import sys, rpm
def evr(s):
    v = rpm.ver(s)
    return (v.e, v.v, v.r)
out = []
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    a, b = line.split("\t")
    try:
        c = rpm.labelCompare(evr(a), evr(b))
    except Exception:  # a string rpm cannot parse: dropped
        out.append("!")
        continue
    out.append("<" if c < 0 else "=" if c == 0 else ">")
print("\n".join(out))
"""


def gen_rpm(rng: random.Random, count: int) -> tuple[str, list[tuple[str, str, str]]]:
    python = "/usr/bin/python3"
    if subprocess.run([python, "-c", "import rpm"], capture_output=True).returncode:
        raise LookupError("python3-rpm not found")
    first = ["0", "1", "2", "10", "01", "001", "9", "a", "rc", "1.0", "2.0.1", "5.5p1", "xyz"]
    pieces = _words(
        "0 1 2 10 01 001 9 a b rc git el ael A Z fc . _ + ~ ^ . .1 ~rc1 ^git1 ~~ ^^ .el7 .el8_4 α - ."
    )
    epochs = ["", "", "", "", "0:", "1:", "01:", ":", "2:"]

    def make() -> str:
        version = rng.choice(epochs) + _compose(rng, first, [p for p in pieces if p != "-"], 4)
        if rng.random() < 0.6:
            version += "-" + _compose(rng, first, [p for p in pieces if p != "-"], 3)
        return version

    triples = _collect(
        rng, count, make, pieces, _no_space, lambda p: _run_lines([python, "-c", _RPM_SCRIPT], p)
    )
    version = subprocess.run(
        [python, "-c", "import rpm; print(rpm.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    return f"rpm {version} (python3-rpm labelCompare)", triples


_RUBY_SCRIPT = r"""
STDIN.each_line do |line|
  a, b = line.chomp.split("\t", 2)
  if Gem::Version.correct?(a) && Gem::Version.correct?(b) && !a.strip.empty? && !b.strip.empty?
    c = Gem::Version.new(a) <=> Gem::Version.new(b)
    puts(c < 0 ? "<" : c == 0 ? "=" : ">")
  else
    puts "!"
  end
end
"""


def gen_rubygems(rng: random.Random, count: int) -> tuple[str, list[tuple[str, str, str]]]:
    if not shutil.which("ruby"):
        raise LookupError("ruby not found")
    first = ["0", "1", "2", "10", "01", "3", "999999999999999999999"]
    pieces = _words(
        ".0 .1 .2 .10 .a .b .pre .rc1 .beta2 .0.0 .0a .a0 .A .Z .alpha .beta .gamma -1 "
        "-beta -rc.1 -pre.0 .00 .a.0 .0.a .9 .a10"
    )

    def make() -> str:
        return _compose(rng, first, pieces, 5)

    triples = _collect(
        rng,
        count,
        make,
        [*pieces, "0", "a", "-", "."],
        _no_space,
        lambda p: _run_lines(["ruby", "-e", _RUBY_SCRIPT], p),
    )
    return _tool_version(["ruby", "-e", 'puts "ruby #{RUBY_VERSION}, rubygems #{Gem::VERSION}"']), triples


_NODE_SCRIPT = r"""
const semver = require(process.argv[1]);
const lines = require("fs").readFileSync(0, "utf8").split("\n").filter((l) => l.length);
const out = lines.map((line) => {
  const [a, b] = line.split("\t");
  if (!semver.valid(a, true) || !semver.valid(b, true)) return "!";
  const c = semver.compare(a, b, true);
  return c < 0 ? "<" : c === 0 ? "=" : ">";
});
console.log(out.join("\n"));
"""


def _node_semver(directory: str | None) -> str:
    if directory:
        return str(Path(directory, "node_modules", "semver"))
    target = Path(tempfile.mkdtemp(prefix="semver-oracle-"))
    subprocess.run(["npm", "install", "--silent", "--prefix", str(target), "semver@7"], check=True)
    return str(target / "node_modules" / "semver")


def gen_npm(
    rng: random.Random, count: int, node_semver_dir: str | None
) -> tuple[str, list[tuple[str, str, str]]]:
    if not shutil.which("node"):
        raise LookupError("node not found")
    module = _node_semver(node_semver_dir)
    numbers = ["0", "1", "2", "10", "01", "00", "0", "1", "2", "9007199254740991", "9007199254740992"]
    prefixes = ["", "", "", "v", "=", "v=", "=v", "vv"]
    ids = _words(
        "alpha beta rc 0 1 2 10 01 00 x-y - a1 1a 9007199254740993 9007199254740992 "
        "9007199254740991 99999999999999999999 A Z -- 0a"
    )

    def make() -> str:
        version = rng.choice(prefixes) + ".".join(rng.choice(numbers) for _ in range(3))
        if rng.random() < 0.7:
            version += rng.choice(["-", "-", ""]) + ".".join(
                rng.choice(ids) for _ in range(rng.randint(1, 2))
            )
        if rng.random() < 0.2:
            version += "+" + rng.choice(["build", "1", "b.2", "001"])
        return version

    pieces = [".1", "-1", "1", "a", ".a", "-", "0", "+x", "v", "="]
    triples = _collect(
        rng, count, make, pieces, _no_space, lambda p: _run_lines(["node", "-e", _NODE_SCRIPT, module], p)
    )
    version = json.loads(Path(module, "package.json").read_text())["version"]
    return f"node-semver {version} (loose)", triples


def _semver_strings(rng: random.Random, go: bool) -> Callable[[], str]:
    numbers = _words("0 1 2 10 0 1 2 11 01 0 1 18446744073709551615 99999999999999999999")
    ids = _words("alpha beta rc 0 1 2 10 11 01 x-y - a1 1a A Z 0a 18446744073709551616 alpha beta 1 2")
    pseudo = _words(
        "0.20210101000000-abcdef123456 20210101000000-abcdef123456 "
        "20191109021931-daa7c04131f5 pre.0.20210101000000-abcdef123456"
    )

    def make() -> str:
        parts = [rng.choice(numbers) for _ in range(3)]
        if go and rng.random() < 0.15:
            return "v" + ".".join(parts[: rng.randint(1, 2)])
        version = ".".join(parts)
        if rng.random() < 0.7:
            if go and rng.random() < 0.2:
                version += "-" + rng.choice(pseudo)
            else:
                version += "-" + ".".join(rng.choice(ids) for _ in range(rng.randint(1, 2)))
        if rng.random() < 0.2:
            version += "+" + rng.choice(["build", "1", "b.2", "001", "incompatible"])
        return ("v" + version) if go else version

    return make


def gen_crates(rng: random.Random, count: int) -> tuple[str, list[tuple[str, str, str]]]:
    registry = Path("/usr/share/cargo/registry")
    crates = sorted(registry.glob("semver-1.*"))
    if not shutil.which("cargo") or not crates:
        raise LookupError("cargo or Debian's librust-semver-dev not found")
    build = Path(tempfile.mkdtemp(prefix="semver-rs-"))
    (build / "src").mkdir()
    (build / ".cargo").mkdir()
    (build / "Cargo.toml").write_text(
        '[package]\nname = "semver-oracle"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[dependencies]\nsemver = "1"\n'
    )
    (build / ".cargo" / "config.toml").write_text(
        '[source.crates-io]\nreplace-with = "debian"\n\n'
        f'[source.debian]\ndirectory = "{registry}"\n\n[net]\noffline = true\n'
    )
    (build / "src" / "main.rs").write_text(
        "use std::io::{self, BufRead, Write};\n"
        "fn main() {\n"
        "    let mut out = io::BufWriter::new(io::stdout());\n"
        "    for line in io::stdin().lock().lines() {\n"
        "        let line = line.unwrap();\n"
        "        let mut it = line.splitn(2, '\\t');\n"
        '        let (a, b) = (it.next().unwrap(), it.next().unwrap_or(""));\n'
        "        let r = match (semver::Version::parse(a), semver::Version::parse(b)) {\n"
        "            (Ok(mut x), Ok(mut y)) => {\n"
        "                x.build = semver::BuildMetadata::EMPTY;\n"
        "                y.build = semver::BuildMetadata::EMPTY;\n"
        '                match x.cmp(&y) { std::cmp::Ordering::Less => "<", std::cmp::Ordering::Equal => "=",'
        ' _ => ">" }\n'
        "            }\n"
        '            _ => "!",\n'
        "        };\n"
        '        writeln!(out, "{}", r).unwrap();\n'
        "    }\n"
        "}\n"
    )
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=build, check=True)
    oracle = str(build / "target" / "release" / "semver-oracle")
    pieces = [".1", "-1", "1", "a", ".a", "-", "0", "+x"]
    triples = _collect(
        rng, count, _semver_strings(rng, go=False), pieces, _no_space, lambda p: _run_lines([oracle], p)
    )
    return f"Rust semver crate {crates[-1].name.split('-', 1)[1]} (Debian librust-semver-dev)", triples


_GO_PROGRAM = """package main

import (
\t"bufio"
\t"fmt"
\t"os"
\t"strings"

\t"golang.org/x/mod/semver"
)

func main() {
\tin := bufio.NewScanner(os.Stdin)
\tout := bufio.NewWriter(os.Stdout)
\tdefer out.Flush()
\tfor in.Scan() {
\t\tparts := strings.SplitN(in.Text(), "\\t", 2)
\t\ta, b := parts[0], parts[1]
\t\tif !semver.IsValid(a) || !semver.IsValid(b) {
\t\t\tfmt.Fprintln(out, "!")
\t\t\tcontinue
\t\t}
\t\tfmt.Fprintln(out, map[int]string{-1: "<", 0: "=", 1: ">"}[semver.Compare(a, b)])
\t}
}
"""


def gen_go(rng: random.Random, count: int) -> tuple[str, list[tuple[str, str, str]]]:
    gopath = "/usr/share/gocode"
    if not shutil.which("go") or not Path(gopath, "src/golang.org/x/mod/semver").is_dir():
        raise LookupError("go or golang-golang-x-mod-dev not found")
    build = Path(tempfile.mkdtemp(prefix="semver-go-"))
    (build / "main.go").write_text(_GO_PROGRAM)
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": gopath, "GOCACHE": str(build / "cache")}
    subprocess.run(["go", "build", "-o", str(build / "oracle"), str(build / "main.go")], check=True, env=env)
    pieces = [".1", "-1", "1", "a", ".a", "-", "0", "+x"]
    answered = _collect(
        rng,
        count,
        _semver_strings(rng, go=True),
        pieces,
        _no_space,
        lambda p: _run_lines([str(build / "oracle")], p),
    )
    # OSV writes Go versions without the "v"; ossdesk accepts both, the tool only the "v" form.
    triples = [(a.removeprefix("v") if rng.random() < 0.3 else a, op, b) for a, op, b in answered]
    return f"golang.org/x/mod/semver ({_tool_version(['go', 'version'])})", triples


def _maven_jar() -> str:
    for folder, pattern in (
        ("/usr/share/maven/lib", "maven-artifact*.jar"),
        ("/usr/share/java", "maven*-artifact*.jar"),
    ):
        jars = sorted(Path(folder).glob(pattern))
        if jars:
            return str(jars[0].resolve())
    raise LookupError("maven-artifact jar not found (apt-get install -y maven)")


def _maven_version(jar: str) -> str:
    """maven-artifact's own version, from the pom.properties inside the jar."""
    with zipfile.ZipFile(jar) as archive:
        properties = archive.read("META-INF/maven/org.apache.maven/maven-artifact/pom.properties").decode()
    return next(
        (line.split("=", 1)[1] for line in properties.splitlines() if line.startswith("version=")), "?"
    )


def gen_maven(rng: random.Random, count: int) -> tuple[str, list[tuple[str, str, str]]]:
    if not shutil.which("java"):
        raise LookupError("java not found")
    jar = _maven_jar()
    numbers = _words("0 1 2 10 01 000 0 1 2 1 9 1234567890 12345678901234567890")
    words = _words(
        "alpha a beta b milestone m rc cr snapshot SNAPSHOT ga GA final Final release "
        "RELEASE sp foo xyz abc c x RC Alpha jre android"
    )
    seps = [".", "-", "", ".", "-"]

    def make() -> str:
        version = rng.choice(numbers)
        for _ in range(rng.randint(0, 4)):
            version += rng.choice(seps) + rng.choice(numbers if rng.random() < 0.5 else words)
        return version

    pieces = _words(". - 0 .0 -0 1 a -a ga .final -1 sp -sp .RELEASE -ga-1")

    def ask(pairs: list[Pair]) -> list[str]:
        answers: list[str] = []
        for start in range(0, len(pairs), 2000):
            chunk = pairs[start : start + 2000]
            args = [v for pair in chunk for v in pair]
            out = subprocess.run(
                ["java", "-cp", jar, "org.apache.maven.artifact.versioning.ComparableVersion", *args],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results = [line.split() for line in out.splitlines() if line.startswith("   ")]
            # results[k] compares args[k] with args[k + 1]; the pairs are at even k.
            for index, (a, b) in enumerate(chunk):
                left, op, right = results[2 * index]
                if (left, right) != (a, b):
                    raise RuntimeError(
                        f"unexpected ComparableVersion output {results[2 * index]} for {a} {b}"
                    )
                answers.append({"<": "<", "==": "=", ">": ">"}[op])
        return answers

    triples = _collect(rng, count, make, pieces, lambda v: _no_space(v) and len(v) <= 256, ask)
    return f"Maven ComparableVersion (maven-artifact {_maven_version(jar)}, {Path(jar).name})", triples


_PHP_SCRIPT = r"""
while (($line = fgets(STDIN)) !== false) {
    [$a, $b] = explode("\t", rtrim($line, "\n"), 2);
    $c = version_compare($a, $b);
    echo $c < 0 ? "<" : ($c == 0 ? "=" : ">"), "\n";
}
"""


def _php_orderable(version: str) -> bool:
    return (
        _no_space(version)
        and version[0].isascii()
        and version[0].isalnum()
        and version[-1].isascii()
        and version[-1].isalnum()
        and "#" not in version
        and not re.match(r"[vV][0-9]", version)
    )


def gen_packagist(rng: random.Random, count: int) -> tuple[str, list[tuple[str, str, str]]]:
    if not shutil.which("php"):
        raise LookupError("php not found")
    numbers = _words("0 1 2 10 01 00 0 1 2 3 99999999999999999999 9223372036854775807")
    words = _words("dev alpha a beta b RC rc pl p patch foo Alpha DEV x stable Rc pre abc bugfix r")
    seps = [".", "-", "_", "+", "", ".", ".", "~", ".."]

    def make() -> str:
        version = rng.choice(numbers) if rng.random() < 0.9 else "dev-" + rng.choice(words)
        for _ in range(rng.randint(0, 4)):
            version += rng.choice(seps) + rng.choice(numbers if rng.random() < 0.55 else words)
        return version

    pieces = [".", "-", "0", ".0", "-dev", "1", "a", "rc1", "pl1", "p", ".1", "_", "+"]
    triples = _collect(
        rng, count, make, pieces, _php_orderable, lambda p: _run_lines(["php", "-r", _PHP_SCRIPT], p)
    )
    return _tool_version(["php", "-r", "echo 'PHP ' . PHP_VERSION . ' version_compare';"]), triples


# --- main ---------------------------------------------------------------------------------------------------


def write(name: str, tool: str, triples: Iterable[tuple[str, str, str]], seed: int) -> int:
    kept = [(a, op, b) for a, op, b in triples if op in ("<", "=", ">")]
    lines = [
        f"# {name}: version comparisons as {tool} ordered them.",
        f"# Generated by gen_version_vectors.py (seed {seed}); one 'A op B' per line, op is <, = or >.",
        *(f"{a} {op} {b}" for a, op, b in kept),
    ]
    (HERE / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(kept)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(GENERATORS))
    parser.add_argument("--pairs", type=int, default=3000, help="pairs to try per ecosystem (default 3000)")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--node-semver", help="a directory where semver@7 is already npm-installed")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(GENERATORS)
    for name in names:
        rng = random.Random(f"{args.seed}-{name}")
        try:
            if name == "npm":
                tool, triples = gen_npm(rng, args.pairs, args.node_semver)
            else:
                tool, triples = GENERATORS[name](rng, args.pairs)
        except LookupError as error:
            sys.stderr.write(f"{name}: skipped ({error})\n")
            continue
        written = write(name, tool, triples, args.seed)
        sys.stderr.write(f"{name}: {written} comparisons from {tool}\n")
    return 0


GENERATORS: dict[str, Callable[[random.Random, int], tuple[str, list[tuple[str, str, str]]]]] = {
    "dpkg": gen_dpkg,
    "rpm": gen_rpm,
    "rubygems": gen_rubygems,
    "npm": lambda rng, count: gen_npm(rng, count, None),
    "crates": gen_crates,
    "go": gen_go,
    "maven": gen_maven,
    "packagist": gen_packagist,
}

if __name__ == "__main__":
    sys.exit(main())
