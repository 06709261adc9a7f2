"""Inventories read from the real files in ``../shared/data``: osv-scanner's lockfile fixtures, the CycloneDX
and SPDX example SBOMs, and the large CycloneDX boms (unpacked once per module).

Lockfile fixtures are read under the name their tool gives them (``one-package.v2.json`` is uploaded as
``package-lock.json``), since the name is what detects the format. The expected packages of the named
cases were written by hand from reading each fixture; where a fixture names something that is not a
registry package (local paths, workspaces), the expectation leaves it out on purpose and says why.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from ossdesk.domain.inventory import (
    MAX_BYTES,
    Component,
    Inventory,
    InventoryError,
    ecosystem_for_purl,
    parse,
)
from ossdesk.domain.inventory.testing import generate_cyclonedx

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
FIXTURES = SHARED_DATA / "lockfiles" / "osv-scanner-fixtures" / "pkg" / "lockfile" / "fixtures"
SCAN_TESTDATA = (
    SHARED_DATA
    / "lockfiles"
    / "osv-scanner-fixtures"
    / "cmd"
    / "osv-scanner"
    / "scan"
    / "source"
    / "testdata"
)
CYCLONEDX = SHARED_DATA / "sboms" / "cyclonedx"
SPDX = SHARED_DATA / "sboms" / "spdx"

# osv-scanner fixture folder -> the file name its tool writes.
LOCKFILE_NAMES = {
    "npm": "package-lock.json",
    "yarn": "yarn.lock",
    "pnpm": "pnpm-lock.yaml",
    "pip": "requirements.txt",
    "poetry": "poetry.lock",
    "pipenv": "Pipfile.lock",
    "pdm": "pdm.lock",
    "cargo": "Cargo.lock",
    "go": "go.mod",
    "composer": "composer.lock",
    "bundler": "Gemfile.lock",
    "maven": "pom.xml",
    "nuget": "packages.lock.json",
}


@pytest.fixture(scope="module", autouse=True)
def _shared_data() -> None:
    if not SHARED_DATA.is_dir():
        if os.environ.get("OSSDESK_ALLOW_MISSING_SHARED_DATA") == "1":
            pytest.skip(f"shared data missing at {SHARED_DATA.resolve()}")
        pytest.fail(
            f"shared data missing at {SHARED_DATA.resolve()}: the tests expect the shared data folder beside "
            "the repository (set OSSDESK_ALLOW_MISSING_SHARED_DATA=1 to skip these tests)"
        )


def read_fixture(folder: str, fixture: str) -> Inventory:
    return parse(LOCKFILE_NAMES[folder], (FIXTURES / folder / fixture).read_bytes())


def pairs(inventory: Inventory) -> set[tuple[str, str | None]]:
    return {(c.name, c.version) for c in inventory.components}


def scoped(inventory: Inventory) -> set[tuple[str, str | None, str | None]]:
    return {(c.name, c.version, c.scope) for c in inventory.components}


# --- lockfiles: named cases, expectations written from the fixtures -------------------------------------

NPM_TWO = {("wrappy", "1.0.2"), ("supports-color", "5.5.0")}
NPM_NESTED = {
    ("postcss", "6.0.23"),
    ("postcss", "7.0.16"),
    ("postcss-calc", "7.0.1"),
    ("supports-color", "5.5.0"),
    ("supports-color", "6.1.0"),
}
NPM_ALIASES = {("@babel/code-frame", "7.0.0"), ("string-width", "5.1.2"), ("string-width", "4.2.0")}
YARN_V1_COMMITS = {
    ("mine1", "1.0.0-alpha.37"),
    ("mine2", "0.0.1"),
    ("mine3", "1.2.3"),
    ("mine4", "0.0.2"),
    ("mine4", "0.0.4"),
    ("my-package", "1.8.3"),
    ("@bower_components/angular-animate", "1.4.14"),
    ("@bower_components/alertify", "0.0.0"),
    ("minimist", "0.0.8"),
    ("bats-assert", "2.0.0"),
    ("bats-support", "0.3.0"),
    ("bats", "1.5.0"),
    ("vue", "2.6.12"),
    ("kit", "1.0.0"),
    ("casadistance", "1.0.0"),
    ("babel-preset-php", "1.1.1"),
    ("is-number", "2.0.0"),
    ("is-number", "5.0.0"),
}
PNPM_PEERS_V5 = {
    ("@typescript-eslint/eslint-plugin", "5.13.0"),
    ("@typescript-eslint/parser", "5.13.0"),
    ("@typescript-eslint/type-utils", "5.13.0"),
    ("@typescript-eslint/types", "5.13.0"),
    ("@typescript-eslint/typescript-estree", "5.13.0"),
    ("@typescript-eslint/utils", "5.13.0"),
    ("eslint-utils", "3.0.0"),
    ("eslint", "8.10.0"),
    ("tsutils", "3.21.0"),
}

LOCKFILE_CASES = [
    # npm: v1 nests dependencies, v2 lists node_modules paths; both spellings of each case agree.
    ("npm", "one-package.v1.json", {("wrappy", "1.0.2")}),
    ("npm", "one-package.v2.json", {("wrappy", "1.0.2")}),
    ("npm", "two-packages.v1.json", NPM_TWO),
    ("npm", "two-packages.v2.json", NPM_TWO),
    ("npm", "scoped-packages.v1.json", {("wrappy", "1.0.2"), ("@babel/code-frame", "7.0.0")}),
    ("npm", "scoped-packages.v2.json", {("wrappy", "1.0.2"), ("@babel/code-frame", "7.0.0")}),
    ("npm", "nested-dependencies.v1.json", NPM_NESTED),
    ("npm", "nested-dependencies.v2.json", NPM_NESTED),
    ("npm", "nested-dependencies-dup.v2.json", {("supports-color", "6.1.0"), ("supports-color", "2.0.0")}),
    ("npm", "alias.v1.json", NPM_ALIASES),
    ("npm", "alias.v2.json", NPM_ALIASES),
    # file: and workspace packages are the project's own; abbrev is installed inside one, from the registry.
    ("npm", "files.v1.json", {("lodash", "1.3.1")}),
    ("npm", "files.v2.json", {("abbrev", "1.0.9"), ("abbrev", "2.3.4")}),
    (
        "npm",
        "same-package-different-groups.v2.json",
        {("ajv", "5.5.2"), ("eslint", "1.2.3"), ("table", "1.0.0")},
    ),
    ("yarn", "one-package.v1.lock", {("balanced-match", "1.0.2")}),
    ("yarn", "one-package.v2.lock", {("balanced-match", "1.0.2")}),
    ("yarn", "two-packages.v1.lock", {("concat-stream", "1.6.2"), ("concat-map", "0.0.1")}),
    ("yarn", "two-packages.v2.lock", {("compare-func", "2.0.0"), ("concat-map", "0.0.1")}),
    ("yarn", "with-quotes.v1.lock", {("concat-stream", "1.6.2"), ("concat-map", "0.0.1")}),
    ("yarn", "multiple-constraints.v1.lock", {("@babel/code-frame", "7.12.13"), ("domelementtype", "1.3.1")}),
    ("yarn", "multiple-versions.v2.lock", {("debug", "4.3.3"), ("debug", "2.6.9"), ("debug", "3.2.7")}),
    (
        "yarn",
        "with-prerelease.v1.lock",
        {
            ("css-tree", "1.0.0-alpha.37"),
            ("gensync", "1.0.0-beta.2"),
            ("node-fetch", "3.0.0-beta.9"),
            ("resolve", "1.20.0"),
            ("resolve", "2.0.0-next.3"),
        },
    ),
    ("yarn", "with-build-string.v1.lock", {("domino", "2.1.6+git"), ("tslib", "2.6.2")}),
    ("yarn", "with-build-string.v2.lock", {("domino", "2.1.6+git"), ("tslib", "2.6.2")}),
    (
        "yarn",
        "with-aliases.v1.lock",
        {("ansi-regex", "5.0.1"), ("ansi-regex", "6.0.1"), ("@babel/helper-validator-identifier", "7.22.20")},
    ),
    (
        "yarn",
        "with-aliases.v2.lock",
        {("ansi-regex", "5.0.1"), ("ansi-regex", "6.0.1"), ("@babel/helper-validator-identifier", "7.22.20")},
    ),
    # file:/link: blocks are local ("sprintf-js" resolves to ./mocks); only two registry packages remain.
    ("yarn", "files.v1.lock", {("etag", "1.8.1"), ("lodash", "1.3.1")}),
    ("yarn", "files.v2.lock", set()),
    ("yarn", "commits.v1.lock", YARN_V1_COMMITS),
    (
        "yarn",
        "commits.v2.lock",
        {
            ("@my-scope/my-first-package", "0.0.6"),
            ("my-second-package", "0.2.2"),
            ("@typegoose/typegoose", "7.2.0"),
            ("vuejs", "2.5.0"),
            ("my-third-package", "0.16.1-dev"),
            ("my-node-sdk", "1.1.0"),
            ("is-really-great", "1.0.0"),
        },
    ),
    ("pnpm", "one-package.yaml", {("acorn", "8.7.0")}),
    ("pnpm", "one-package-v6-lockfile.yaml", {("acorn", "8.7.0")}),
    ("pnpm", "one-package.v9.yaml", {("acorn", "8.11.3")}),
    ("pnpm", "scoped-packages.yaml", {("@typescript-eslint/types", "5.13.0")}),
    ("pnpm", "scoped-packages-v6-lockfile.yaml", {("@typescript-eslint/types", "5.57.1")}),
    ("pnpm", "scoped-packages.v9.yaml", {("@typescript-eslint/types", "5.62.0")}),
    ("pnpm", "peer-dependencies-advanced.yaml", PNPM_PEERS_V5),
    ("pnpm", "multiple-versions.v9.yaml", {("uuid", "8.0.0"), ("uuid", "8.3.2"), ("xmlbuilder", "11.0.1")}),
    # v5 keys in every spelling; github.com/kevva/is-positive and /foo/bar name no registry version.
    (
        "pnpm",
        "exotic.yaml",
        {
            ("foo", "1.0.0"),
            ("@foo/bar", "1.0.0"),
            ("foo", "1.1.0"),
            ("@foo/bar", "1.1.0"),
            ("foo", "1.2.0"),
            ("foo", "1.3.0"),
            ("foo", "1.4.0"),
        },
    ),
    ("pnpm", "tarball.yaml", {("@my-org/my-package", "3.2.3")}),
    ("pnpm", "commits.v9.yaml", {("ansi-regex", "6.0.1"), ("is-number", "7.0.0")}),
    ("pnpm", "files.yaml", set()),
    ("pip", "one-package-constrained.txt", {("django", "2.2.24")}),
    ("pip", "one-package-unconstrained.txt", set()),
    (
        "pip",
        "multiple-packages-mixed.txt",
        {("pandas", "0.23.4"), ("numpy", "1.16.0"), ("scikit-learn", "0.20.1")},
    ),
    (
        "pip",
        "non-normalized-names.txt",
        {("zope-interface", "5.4.0"), ("pillow", "1.0.0"), ("twisted", "20.3.0")},
    ),
    ("pip", "with-added-support.txt", {("twisted", "20.3.0")}),
    ("pip", "file-format-example.txt", {("docopt", "0.6.1")}),
    ("pip", "line-continuation.txt", {("foo", "1.2.3"), ("baz", "7.8.9"), ("qux", "10.11.12")}),
    (
        "pip",
        "with-per-requirement-options.txt",
        {("boto3", "1.26.121"), ("foo", "1.0.0"), ("fooproject", "1.2")},
    ),
    ("pip", "with-multiple-r-options.txt", {("requests", "1.2.3"), ("pandas", "0.23.4")}),
    ("poetry", "one-package.lock", {("numpy", "1.23.3")}),
    ("poetry", "two-packages.lock", {("proto-plus", "1.22.0"), ("protobuf", "4.21.5")}),
    ("poetry", "source-git.lock", {("ike", "0.2.0")}),
    ("poetry", "source-legacy.lock", {("appdirs", "1.4.4")}),
    (
        "pipenv",
        "multiple-packages.json",
        {("itsdangerous", "2.1.2"), ("pluggy", "1.0.1"), ("pluggy", "1.0.0"), ("markupsafe", "2.1.1")},
    ),
    ("pipenv", "no-version.json", set()),
    ("pdm", "two-packages.toml", {("six", "1.16.0"), ("toml", "0.10.2")}),
    ("pdm", "git-dependency.toml", {("toml", "0.10.2")}),
    ("cargo", "one-package.lock", {("addr2line", "0.15.2")}),
    ("cargo", "two-packages.lock", {("addr2line", "0.15.2"), ("syn", "1.0.73")}),
    ("cargo", "two-packages-with-local.lock", {("addr2line", "0.15.2")}),
    ("cargo", "package-with-build-string.lock", {("wasi", "0.10.2+wasi-snapshot-preview1")}),
    ("go", "one-package.mod", {("github.com/BurntSushi/toml", "v1.0.0")}),
    # "go 1.17": the standard library is a component, at Go's first 1.17 release.
    (
        "go",
        "two-packages.mod",
        {("github.com/BurntSushi/toml", "v1.0.0"), ("gopkg.in/yaml.v2", "v2.4.0"), ("stdlib", "1.17.0")},
    ),
    (
        "go",
        "indirect-packages.mod",
        {
            ("github.com/BurntSushi/toml", "v1.0.0"),
            ("gopkg.in/yaml.v2", "v2.4.0"),
            ("github.com/mattn/go-colorable", "v0.1.9"),
            ("github.com/mattn/go-isatty", "v0.0.14"),
            ("golang.org/x/sys", "v0.0.0-20210630005230-0f9fa26af87c"),
            ("stdlib", "1.17.0"),
        },
    ),
    ("go", "replace-one.mod", {("example.com/fork/net", "v1.4.5")}),
    ("go", "replace-mixed.mod", {("example.com/fork/net", "v1.4.5"), ("golang.org/x/net", "v0.5.6")}),
    ("go", "replace-no-version.mod", {("example.com/fork/net", "v1.4.5")}),
    ("go", "replace-different.mod", {("example.com/fork/foe", "v1.4.5"), ("example.com/fork/foe", "v1.4.2")}),
    (
        "go",
        "replace-not-required.mod",
        {("golang.org/x/net", "v0.5.6"), ("github.com/BurntSushi/toml", "v1.0.0")},
    ),
    ("go", "replace-local.mod", {("github.com/BurntSushi/toml", "v1.0.0")}),
    ("composer", "one-package.json", {("sentry/sdk", "2.0.4")}),
    ("composer", "two-packages.json", {("sentry/sdk", "2.0.4"), ("theseer/tokenizer", "1.1.3")}),
    ("bundler", "one-gem.lock", {("ast", "2.4.2")}),
    ("bundler", "some-gems.lock", {("coderay", "1.1.3"), ("method_source", "1.0.0"), ("pry", "0.14.1")}),
    # GIT gems keep their gem version; the rest come from GEM.
    (
        "bundler",
        "has-git-gem.lock",
        {
            ("hanami-controller", "2.0.0.alpha1"),
            ("hanami-utils", "2.0.0.alpha1"),
            ("concurrent-ruby", "1.1.7"),
            ("rack", "2.2.3"),
            ("transproc", "1.1.1"),
        },
    ),
    ("bundler", "no-spec-section.lock", set()),
    ("maven", "one-package.xml", {("org.apache.maven:maven-artifact", "1.0.0")}),
    (
        "maven",
        "two-packages.xml",
        {("io.netty:netty-all", "4.1.42.Final"), ("org.slf4j:slf4j-log4j12", "1.7.25")},
    ),
    # The POM's own 4.1.9 wins over its dependencyManagement; managed-only jsr305 is not a dependency.
    (
        "maven",
        "with-dependency-management.xml",
        {("io.netty:netty-all", "4.1.9"), ("org.slf4j:slf4j-log4j12", "1.7.25")},
    ),
    ("maven", "interpolation.xml", {("org.mine:mypackage", "1.0.0"), ("org.mine:my.package", "2.3.4")}),
    ("nuget", "one-framework-one-package.v1.json", {("Test.Core", "6.0.5")}),
    (
        "nuget",
        "one-framework-two-packages.v1.json",
        {("Test.Core", "6.0.5"), ("Test.System", "0.13.0-beta4")},
    ),
    ("nuget", "two-frameworks-duplicate-packages.v1.json", {("Test.Core", "6.0.5")}),
    (
        "nuget",
        "two-frameworks-mixed-packages.v1.json",
        {("Test.Core", "6.0.5"), ("Test.System", "0.13.0-beta4"), ("Test.System", "2.15.0")},
    ),
]


def _case_id(value: object) -> str:
    """A test id that is the same in every process (xdist workers compare them): sets are sorted."""
    if isinstance(value, set | frozenset):
        value = sorted(value, key=repr)
    return str(value)[:40]


@pytest.mark.parametrize(("folder", "fixture", "expected"), LOCKFILE_CASES, ids=_case_id)
def test_lockfile_fixture_packages(folder: str, fixture: str, expected: set[tuple[str, str]]) -> None:
    assert pairs(read_fixture(folder, fixture)) == expected


SCOPE_CASES = [
    ("npm", "one-package-dev.v1.json", {("wrappy", "1.0.2", "dev")}),
    ("npm", "one-package-dev.v2.json", {("wrappy", "1.0.2", "dev")}),
    (
        "npm",
        "optional-package.v2.json",
        {("wrappy", "1.0.2", "optional"), ("supports-color", "5.5.0", "optional")},
    ),
    # ajv is dev at one path and required at another: required wins.
    (
        "npm",
        "same-package-different-groups.v1.json",
        {("ajv", "5.5.2", None), ("eslint", "1.2.3", "dev"), ("table", "1.0.0", None)},
    ),
    (
        "pnpm",
        "mixed-groups.v6.yaml",
        {("ansi-regex", "5.0.0", None), ("is-number", "7.0.0", "dev"), ("uuid", "8.0.0", "optional")},
    ),
    # v9 keeps only "optional" per package; dev-ness moved to the importers' devDependencies.
    (
        "pnpm",
        "mixed-groups.v9.yaml",
        {("ansi-regex", "5.0.1", None), ("is-number", "7.0.0", "dev"), ("uuid", "8.3.2", "optional")},
    ),
    ("poetry", "optional-package.lock", {("numpy", "1.23.3", "optional")}),
    ("pipenv", "one-package-dev.json", {("markupsafe", "2.1.1", "dev")}),
    ("pipenv", "two-packages.json", {("itsdangerous", "2.1.2", None), ("markupsafe", "2.1.1", "dev")}),
    (
        "pdm",
        "dev-dependency.toml",
        {("pyroute2", "0.7.11", "dev"), ("toml", "0.10.2", None), ("win-inet-pton", "1.1.0", "dev")},
    ),
    ("composer", "one-package-dev.json", {("sentry/sdk", "2.0.4", "dev")}),
    ("maven", "with-scope.xml", {("abc:xyz", "1.2.3", None), ("junit:junit", "4.12", "dev")}),
]


@pytest.mark.parametrize(("folder", "fixture", "expected"), SCOPE_CASES, ids=_case_id)
def test_lockfile_scopes(folder: str, fixture: str, expected: set[tuple[str, str, str | None]]) -> None:
    assert scoped(read_fixture(folder, fixture)) == expected


# Larger fixtures: the count, a few members, and that each package appears once.
COUNT_CASES = [
    ("npm", "commits.v2.json", 12, {("postcss-calc", "7.0.1"), ("raven-js", None)}),
    (
        "npm",
        "nested-dependencies-dup.v1.json",
        39,
        {("supports-color", "6.1.0"), ("supports-color", "2.0.0")},
    ),
    ("pnpm", "multiple-packages.yaml", 14, {("aws-sdk", "2.1087.0"), ("xmlbuilder", "9.0.7")}),
    ("pnpm", "peer-dependencies-advanced.v9.yaml", 13, {("@typescript-eslint/utils", "5.62.0")}),
    (
        "pnpm",
        "invalid-package-path.yaml",
        9,
        {("axios", "1.2.5"), ("pinia", "2.0.28"), ("typescript", "4.7.4")},
    ),
    ("pip", "multiple-packages-constrained.txt", 13, {("django", "2.2.24"), ("certifi", "2020.12.5")}),
    ("bundler", "rails.lock", 46, {("actioncable", "7.0.2.2"), ("zeitwerk", "2.5.4")}),
    ("bundler", "rubocop.lock", 10, {("rubocop", "1.25.1"), ("unicode-display_width", "2.1.0")}),
    # PATH section (backbone-on-rails, a vendored directory) is left out; nokogiri's platform is stripped.
    ("bundler", "has-local-gem.lock", 29, {("nokogiri", "1.13.3"), ("zeitwerk", "2.5.4")}),
]


@pytest.mark.parametrize(("folder", "fixture", "count", "members"), COUNT_CASES, ids=_case_id)
def test_lockfile_fixture_counts(
    folder: str, fixture: str, count: int, members: set[tuple[str, str]]
) -> None:
    inventory = read_fixture(folder, fixture)
    assert len(inventory.components) == count
    assert members <= pairs(inventory)
    assert len(pairs(inventory)) == count


EMPTY_FIXTURES = [
    ("npm", "empty.v1.json"),
    ("npm", "empty.v2.json"),
    ("yarn", "empty.v1.lock"),
    ("yarn", "empty.v2.lock"),
    ("yarn", "metadata-only.v2.lock"),
    ("pnpm", "empty.yaml"),
    ("pnpm", "no-packages.yaml"),
    ("pnpm", "no-packages.v9.yaml"),
    ("pip", "empty.txt"),
    ("pip", "only-comments.txt"),
    ("poetry", "empty.lock"),
    ("pipenv", "empty.json"),
    ("pdm", "empty.toml"),
    ("cargo", "empty.lock"),
    ("go", "empty.mod"),
    ("composer", "empty.json"),
    ("bundler", "no-gems.lock"),
    ("bundler", "no-gem-section.lock"),
    ("maven", "empty.xml"),
    ("nuget", "empty.v0.json"),
    ("nuget", "empty.v1.json"),
]


@pytest.mark.parametrize(("folder", "fixture"), EMPTY_FIXTURES)
def test_empty_lockfiles_have_no_components(folder: str, fixture: str) -> None:
    assert read_fixture(folder, fixture).components == ()


MALFORMED_FIXTURES = [
    ("npm", "not-json.txt", "package-lock.json: line 1: Expecting value"),
    ("pipenv", "not-json.txt", "Pipfile.lock: line 1: Expecting value"),
    ("composer", "not-json.txt", "composer.lock: line 1: Expecting value"),
    ("nuget", "not-json.txt", "packages.lock.json: line 1: Expecting value"),
    ("poetry", "not-toml.txt", "poetry.lock: line 1: Expected '=' after a key"),
    ("pdm", "not-toml.txt", "pdm.lock: line 1: Expected '=' after a key"),
    ("cargo", "not-toml.txt", "Cargo.lock: line 1: Expected '=' after a key"),
    ("pnpm", "not-yaml.txt", "pnpm-lock.yaml: not a pnpm lockfile"),
    ("go", "not-go-mod.txt", "go.mod: line 1: unknown directive 'this'"),
    ("maven", "not-pom.txt", "pom.xml: line 1: syntax error"),
    # "<${Id}.version>" is not a well-formed XML element name.
    ("maven", "invalid-syntax.xml", "pom.xml: line 3: not well-formed (invalid token)"),
]


@pytest.mark.parametrize(("folder", "fixture", "message"), MALFORMED_FIXTURES)
def test_malformed_lockfiles_are_rejected_with_file_and_reason(
    folder: str, fixture: str, message: str
) -> None:
    with pytest.raises(InventoryError) as caught:
        read_fixture(folder, fixture)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


ALL_LOCKFILE_FIXTURES = sorted(
    (folder, path.name)
    for folder in LOCKFILE_NAMES
    for path in (FIXTURES / folder).glob("*")
    if path.is_file()
)
MALFORMED = {(folder, fixture) for folder, fixture, _ in MALFORMED_FIXTURES}


@pytest.mark.parametrize(("folder", "fixture"), ALL_LOCKFILE_FIXTURES)
def test_every_lockfile_fixture_parses_unless_malformed(folder: str, fixture: str) -> None:
    if (folder, fixture) in MALFORMED:
        with pytest.raises(InventoryError):
            read_fixture(folder, fixture)
        return
    inventory = read_fixture(folder, fixture)
    for component in inventory.components:
        assert component.ecosystem is not None
        assert component.purl is not None
        assert component.purl.startswith("pkg:")


def test_lockfile_components_carry_ecosystem_and_purl() -> None:
    expected = {
        ("npm", "scoped-packages.v2.json"): Component(
            "npm", "@babel/code-frame", "7.0.0", "pkg:npm/%40babel/code-frame@7.0.0"
        ),
        ("pip", "non-normalized-names.txt"): Component(
            "PyPI", "zope-interface", "5.4.0", "pkg:pypi/zope-interface@5.4.0"
        ),
        ("cargo", "one-package.lock"): Component(
            "crates.io", "addr2line", "0.15.2", "pkg:cargo/addr2line@0.15.2"
        ),
        ("go", "one-package.mod"): Component(
            "Go", "github.com/BurntSushi/toml", "v1.0.0", "pkg:golang/github.com/BurntSushi/toml@v1.0.0"
        ),
        ("composer", "one-package.json"): Component(
            "Packagist", "sentry/sdk", "2.0.4", "pkg:composer/sentry/sdk@2.0.4"
        ),
        ("bundler", "one-gem.lock"): Component("RubyGems", "ast", "2.4.2", "pkg:gem/ast@2.4.2"),
        ("maven", "one-package.xml"): Component(
            "Maven",
            "org.apache.maven:maven-artifact",
            "1.0.0",
            "pkg:maven/org.apache.maven/maven-artifact@1.0.0",
        ),
        ("nuget", "one-framework-one-package.v1.json"): Component(
            "NuGet", "Test.Core", "6.0.5", "pkg:nuget/Test.Core@6.0.5"
        ),
    }
    for (folder, fixture), component in expected.items():
        assert component in read_fixture(folder, fixture).components


def test_lockfile_formats_are_named_with_their_version() -> None:
    assert read_fixture("npm", "one-package.v1.json").format == "package-lock.json v1"
    assert read_fixture("npm", "one-package.v2.json").format == "package-lock.json v2"
    assert read_fixture("yarn", "one-package.v1.lock").format == "yarn.lock v1"
    assert read_fixture("yarn", "with-aliases.v2.lock").format == "yarn.lock berry (metadata v8)"
    assert read_fixture("pnpm", "one-package.v9.yaml").format == "pnpm-lock.yaml v9.0"
    assert read_fixture("cargo", "one-package.lock").format == "Cargo.lock v3"
    assert read_fixture("poetry", "one-package.lock").format == "poetry.lock"


# --- lockfile details ---------------------------------------------------------------------------------------


def test_requirements_warn_about_what_they_skip() -> None:
    warnings = read_fixture("pip", "file-format-example.txt").warnings
    assert "line 3: pytest is not pinned (no version); skipped" in warnings
    assert "line 10: keyring is not pinned (>=4.1.1); skipped" in warnings
    assert "line 15: other-file.txt is included with -r, not followed; upload it too" in warnings
    assert any(w.startswith("line 18: './downloads/numpy-1.9.2") and "file or URL" in w for w in warnings)
    assert any(w.startswith("line 19: 'http://wxpython.org/") and "file or URL" in w for w in warnings)


def test_requirements_options_markers_and_hashes() -> None:
    content = b"""\
--index-url https://pypi.org/simple
--require-hashes
# a comment
Django[bcrypt]==4.2.7 ; python_version >= "3.8" \\
    --hash=sha256:0123
requests===2.31.0
urllib3==2.*
-e git+https://github.com/pallets/flask.git#egg=flask
flask @ https://example.com/flask-3.0.0.tar.gz
-c constraints.txt
"""
    inventory = parse("requirements/prod-requirements.txt", content)
    assert pairs(inventory) == {("django", "4.2.7"), ("requests", "2.31.0")}
    assert inventory.warnings == (
        "line 7: urllib3 is not pinned (==2.*); skipped",
        "line 8: editable requirement 'git+https://github.com/pallets/flask.git#egg=flask' has no pinned "
        "version; skipped",
        "line 9: flask comes from a URL, not a pinned version; skipped",
        "line 10: constraints.txt is included with -c, not followed; upload it too",
    )


def test_go_replace_by_local_directory_is_a_warning() -> None:
    inventory = read_fixture("go", "replace-local.mod")
    assert inventory.warnings == (
        "line 2: golang.org/x/net v1.2.3 is replaced by the local directory ./fork/net; skipped",
    )


def test_go_mod_single_line_directives_and_quoted_paths() -> None:
    content = b"""module example.com/app

go 1.22
toolchain go1.22.3
require "golang.org/x/text" v0.14.0 // indirect
require github.com/pkg/errors v0.9.1
exclude github.com/pkg/errors v0.8.0
retract v1.0.0
"""
    assert pairs(parse("go.mod", content)) == {
        ("golang.org/x/text", "v0.14.0"),
        ("github.com/pkg/errors", "v0.9.1"),
        ("stdlib", "1.22.3"),  # the toolchain's release, not the go line's
    }


def test_go_mod_unclosed_block_is_an_error() -> None:
    with pytest.raises(InventoryError, match=r"^go\.mod: require block is not closed$"):
        parse("go.mod", b"module x\nrequire (\n  golang.org/x/net v1.0.0\n")


def test_maven_warns_about_versions_it_cannot_pin() -> None:
    content = b"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <version>2.0.0</version>
  <properties><log4j.version>2.17.1</log4j.version><range>[1.0,2.0)</range></properties>
  <dependencies>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version></dependency>
    <dependency><groupId>com.example</groupId><artifactId>sibling</artifactId>
      <version>${project.version}</version><optional>true</optional></dependency>
    <dependency><groupId>com.example</groupId><artifactId>ranged</artifactId><version>${range}</version></dependency>
    <dependency><groupId>com.example</groupId><artifactId>unknown</artifactId><version>${nope}</version></dependency>
    <dependency><groupId>com.example</groupId><artifactId>from-parent</artifactId></dependency>
  </dependencies>
</project>"""
    inventory = parse("pom.xml", content)
    assert scoped(inventory) == {
        ("org.apache.logging.log4j:log4j-core", "2.17.1", None),
        ("com.example:sibling", "2.0.0", "optional"),
    }
    assert inventory.warnings == (
        "com.example:ranged: [1.0,2.0) is a version range, not a pinned version; skipped",
        "com.example:unknown: cannot resolve ${nope} from this POM's properties; skipped",
        "com.example:from-parent has no version here (managed by a parent POM or an imported BOM?); skipped",
    )


def test_maven_root_must_be_a_project() -> None:
    with pytest.raises(InventoryError, match=r"^pom\.xml: not a Maven POM: root element is <settings>$"):
        parse("pom.xml", b"<settings/>")


def test_yarn_lock_garbage_names_the_line() -> None:
    with pytest.raises(InventoryError, match=r"^yarn\.lock: line 3: expected a 'descriptor:' line"):
        parse("yarn.lock", b"# yarn lockfile v1\n\nthis is not a lockfile\n")


def test_gemfile_lock_without_bundler_sections_is_rejected() -> None:
    with pytest.raises(InventoryError, match=r"^Gemfile\.lock: not a Gemfile\.lock"):
        parse("Gemfile.lock", b"this is not a Gemfile.lock\n")


def test_uv_lock_skips_the_project_itself() -> None:
    inventory = parse("uv.lock", (SCAN_TESTDATA / "locks-scalibr" / "uv.lock").read_bytes())
    assert pairs(inventory) == {("emoji", "2.14.0"), ("protobuf", "4.25.5")}


PNPM_V9 = b"""lockfileVersion: '9.0'

importers:
  .:
    dependencies:
      left-pad:
        specifier: ^1.3.0
        version: 1.3.0

packages:

  left-pad@1.3.0:
    resolution: {integrity: sha512-x}
    deprecated: 'use String.prototype.padStart()
      instead'

snapshots:

  left-pad@1.3.0: {}
"""


def test_pnpm_reads_an_outline_and_reports_original_lines() -> None:
    assert pairs(parse("pnpm-lock.yaml", PNPM_V9)) == {("left-pad", "1.3.0")}
    broken = PNPM_V9.replace(
        b"  left-pad@1.3.0:\n    resolution", b"  left-pad@1.3.0:\n    version: [1.3\n    resolution"
    )
    with pytest.raises(InventoryError) as caught:
        parse("pnpm-lock.yaml", broken)
    # The outline drops lines 14-16; the error still names line 18 of the upload, where YAML gives up.
    assert str(caught.value) == "pnpm-lock.yaml: line 18: did not find expected ',' or ']'"


def test_pnpm_lockfile_with_a_config_document_first() -> None:
    content = b"""---
lockfileVersion: '9.0'
importers:
  .:
    configDependencies: {}
---
lockfileVersion: '9.0'
packages:
  left-pad@1.3.0:
    resolution: {integrity: sha512-x}
"""
    assert pairs(parse("pnpm-lock.yaml", content)) == {("left-pad", "1.3.0")}


def test_package_lock_error_names_line_and_reason() -> None:
    with pytest.raises(InventoryError) as caught:
        parse("package-lock.json", b'{\n  "lockfileVersion": 3\n  "packages": {}\n}')
    assert str(caught.value) == "package-lock.json: line 3: Expecting ',' delimiter"


# --- CycloneDX ----------------------------------------------------------------------------------------------

CYCLONEDX_FILES = sorted(
    path.relative_to(CYCLONEDX).as_posix()
    for path in CYCLONEDX.rglob("*")
    if path.is_file() and path.suffix in (".json", ".xml")
)


@pytest.mark.parametrize("relative", CYCLONEDX_FILES)
def test_every_cyclonedx_example_parses(relative: str) -> None:
    """All 65 JSON/XML examples (SBOM, VEX, CBOM, HBOM, OBOM, SaaSBOM) are valid CycloneDX 1.1-1.6; none is
    rejected. VEX and SaaSBOM documents legitimately list no components (they describe vulnerabilities or
    services)."""
    path = CYCLONEDX / relative
    inventory = parse(path.name, path.read_bytes())
    assert inventory.format.startswith("CycloneDX 1.")
    assert not inventory.warnings
    if relative.startswith("SBOM/"):
        assert inventory.components


@pytest.mark.parametrize(
    ("relative", "count"),
    [
        ("SBOM/juice-shop/v11.1.2/bom.json", 840),
        ("SBOM/juice-shop/v11.1.2/bom.xml", 840),
        ("SBOM/dropwizard-1.3.15/bom.json", 167),
        ("SBOM/dropwizard-1.3.15/bom.xml", 167),
        ("SBOM/laravel-7.12.0/bom.1.1.xml", 62),
        ("SBOM/proton-bridge/proton-bridge-v1.8.0.bom.json", 201),
    ],
)
def test_cyclonedx_component_counts(relative: str, count: int) -> None:
    """The README's count is every entry of ``components`` (nested included), not ``metadata.component``."""
    path = CYCLONEDX / relative
    assert len(parse(path.name, path.read_bytes()).components) == count


@pytest.mark.parametrize(
    "stem",
    [
        "SBOM/juice-shop/v11.1.2/bom",
        "SBOM/dropwizard-1.3.15/bom",
        "SBOM/proton-bridge/proton-bridge-v1.6.3.bom",
    ],
)
def test_cyclonedx_json_and_xml_agree(stem: str) -> None:
    json_path, xml_path = CYCLONEDX / f"{stem}.json", CYCLONEDX / f"{stem}.xml"
    from_json = parse(json_path.name, json_path.read_bytes())
    from_xml = parse(xml_path.name, xml_path.read_bytes())
    assert from_json.components == from_xml.components


def test_laravel_boms_agree_across_versions() -> None:
    folder = CYCLONEDX / "SBOM" / "laravel-7.12.0"
    inventories = {path.name: parse(path.name, path.read_bytes()) for path in sorted(folder.glob("bom.*"))}
    assert {inv.format for inv in inventories.values()} == {
        "CycloneDX 1.1 XML",
        "CycloneDX 1.2 JSON",
        "CycloneDX 1.2 XML",
        "CycloneDX 1.3 JSON",
        "CycloneDX 1.3 XML",
        "CycloneDX 1.4 JSON",
        "CycloneDX 1.4 XML",
    }
    assert len({frozenset(inv.components) for inv in inventories.values()}) == 1
    laravel = next(c for c in inventories["bom.1.4.json"].components if c.name == "laravel/framework")
    assert laravel == Component(
        "Packagist", "laravel/framework", "v7.30.6", "pkg:composer/laravel/framework@v7.30.6"
    )


def test_juice_shop_components_are_npm_with_canonical_purls() -> None:
    path = CYCLONEDX / "SBOM" / "juice-shop" / "v11.1.2" / "bom.json"
    inventory = parse(path.name, path.read_bytes())
    assert {c.ecosystem for c in inventory.components} == {"npm"}
    assert (
        Component("npm", "@sindresorhus/is", "0.7.0", "pkg:npm/%40sindresorhus/is@0.7.0")
        in inventory.components
    )


@pytest.fixture(scope="module")
def large_boms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("large-boms")
    with tarfile.open(CYCLONEDX / "large-boms.tar.gz") as archive:
        archive.extractall(target, filter="data")
    return target


def test_keycloak_has_903_components(large_boms: Path) -> None:
    for name in ("bom.json", "bom.xml"):
        inventory = parse(name, (large_boms / "SBOM" / "keycloak-10.0.2" / name).read_bytes())
        assert len(inventory.components) == 903
        assert {c.ecosystem for c in inventory.components} == {"Maven"}


def test_large_boms_all_parse(large_boms: Path) -> None:
    for path in sorted(large_boms.rglob("*")):
        if path.is_file():
            assert parse(path.name, path.read_bytes()).components, path


def test_juice_shop_via_npm_nested_and_flat_agree(large_boms: Path) -> None:
    """``bare`` nests components inside components (837 at the top, 1,115 in all), ``flat`` lists the same
    1,115 at the top: both give the same 978 distinct packages (the rest are the same package at several
    node_modules paths)."""
    folder = large_boms / "SBOM" / "juice-shop" / "via_npm"
    results = {
        path.relative_to(folder).as_posix(): set(parse(path.name, path.read_bytes()).components)
        for path in sorted(folder.rglob("bom.*"))
    }
    assert len(results) == 12
    assert len({frozenset(components) for components in results.values()}) == 1
    assert len(results["bare/bom.1.4.json"]) == 978


def test_cyclonedx_details() -> None:
    content = b"""{
      "bomFormat": "CycloneDX", "specVersion": "1.6",
      "metadata": {"component": {"type": "application", "name": "product", "purl": "pkg:npm/product@1.0.0"}},
      "components": [
        {"type": "library", "name": "lodash", "purl": "pkg:npm/lodash", "version": "4.17.20",
         "scope": "optional",
         "components": [
           {"type": "library", "name": "inner", "version": "1", "group": "com.example"},
           {"type": "library", "name": "Django", "purl": "pkg:pypi/Django@4.2.0", "scope": "excluded"}
         ]},
        {"type": "library", "name": "broken", "version": "2", "purl": "not a purl"},
        {"type": "library", "version": "3"},
        {"type": "library", "name": "lodash", "purl": "pkg:npm/lodash@4.17.20"},
        "junk"
      ]
    }"""
    inventory = parse("bom.json", content)
    assert inventory.format == "CycloneDX 1.6 JSON"
    assert inventory.components == (
        Component("npm", "lodash", "4.17.20", "pkg:npm/lodash@4.17.20", None),
        Component(None, "com.example/inner", "1", None, None),
        Component("PyPI", "django", "4.2.0", "pkg:pypi/django@4.2.0", "excluded"),
        Component(None, "broken", "2", None, None),
    )
    assert inventory.warnings == (
        "component 'broken': invalid purl 'not a purl' "
        "(purl is missing the required \"pkg\" scheme component: 'not a purl'.); kept without a purl",
        "components[2]: no name and no purl; skipped",
        "components[4] is not an object; skipped",
    )


def test_cyclonedx_bad_purls_fixture_warns_and_keeps_going() -> None:
    path = SCAN_TESTDATA / "sbom-insecure" / "bad-purls.cdx.xml"
    inventory = parse(path.name, path.read_bytes())
    assert len(inventory.components) == 15
    assert [w.split(":")[0] for w in inventory.warnings] == [
        "component 'alpine-keys'",
        "component 'ca-certificates-bundle'",
        "component 'libc-utils'",
        "component 'musl'",
        "component 'zlib'",
        "components[15]",
    ]
    assert Component(None, "musl", "1.2.3-r4", None) in inventory.components


def test_distribution_packages_are_named_by_source_package() -> None:
    path = SCAN_TESTDATA / "sbom-insecure" / "alpine.cdx.xml"
    components = parse(path.name, path.read_bytes()).components
    data = next(c for c in components if c.purl and "alpine-baselayout-data" in c.purl)
    assert (data.ecosystem, data.name, data.version) == ("Alpine", "alpine-baselayout", "3.4.0-r0")
    path = SCAN_TESTDATA / "sbom-insecure" / "postgres-stretch.cdx.xml"
    components = parse(path.name, path.read_bytes()).components
    assert (
        Component("Debian", "apt", "1.4.11", "pkg:deb/debian/apt@1.4.11?arch=amd64&distro=debian-9")
        in components
    )
    assert (
        Component(
            "Go",
            "golang.org/x/sys",
            "v0.0.0-20210817142637-7d9622a276b7",
            "pkg:golang/golang.org/x/sys@v0.0.0-20210817142637-7d9622a276b7",
        )
        in components
    )
    assert Component(None, "postgresql", "11.15", "pkg:generic/postgresql@11.15") in components


def test_cyclonedx_xml_root_must_be_a_bom() -> None:
    with pytest.raises(InventoryError) as caught:
        parse("bom.xml", b"<foo/>")
    assert str(caught.value) == "bom.xml: not a CycloneDX document: root element is <foo>"
    with pytest.raises(InventoryError, match=r"^bom\.xml: not a CycloneDX document: <bom> in no namespace$"):
        parse("bom.xml", b"<bom><components/></bom>")


def test_cyclonedx_unknown_spec_versions() -> None:
    newer = parse("bom.json", b'{"bomFormat": "CycloneDX", "specVersion": "1.9", "components": []}')
    assert newer.warnings == ("CycloneDX 1.9 is newer than the versions known here; read as 1.7",)
    with pytest.raises(InventoryError, match=r"^bom\.json: CycloneDX 2\.0 is not supported"):
        parse("bom.json", b'{"bomFormat": "CycloneDX", "specVersion": "2.0"}')


def test_generated_20000_component_bom_parses_whole() -> None:
    # Its speed is a benchmark's business (benchmarks/bench_security.py), never a timed assertion here.
    data = generate_cyclonedx(20_000)
    assert data == generate_cyclonedx(20_000)
    inventory = parse("bom.json", data)
    assert len(inventory.components) == 20_000
    assert {c.ecosystem for c in inventory.components} == {"PyPI", "npm", "Maven", "Go", "crates.io"}
    assert all(c.purl for c in inventory.components)


# --- SPDX ---------------------------------------------------------------------------------------------------

SPDX_FILES = sorted(
    path.relative_to(SPDX).as_posix()
    for path in SPDX.rglob("*")
    if path.is_file() and path.suffix in (".json", ".spdx")
)
SPDX2_FILES = [f for f in SPDX_FILES if "spdx3" not in f and "/spdx3.0/" not in f]
SPDX3_FILES = [f for f in SPDX_FILES if f not in SPDX2_FILES]


@pytest.mark.parametrize("relative", SPDX2_FILES)
def test_every_spdx2_document_parses(relative: str) -> None:
    path = SPDX / relative
    inventory = parse(path.name, path.read_bytes())
    assert inventory.format in ("SPDX 2.2 JSON", "SPDX 2.3 JSON", "SPDX 2.2 tag-value")
    assert inventory.components
    assert not inventory.warnings


@pytest.mark.parametrize("relative", SPDX3_FILES)
def test_spdx3_is_refused_with_a_reason(relative: str) -> None:
    path = SPDX / relative
    with pytest.raises(InventoryError, match=r"SPDX 3\.0 is not supported"):
        parse(path.name, path.read_bytes())


def test_spdx_counts() -> None:
    """The README's 56 documents: 30 SPDX 2.2/2.3 (JSON and tag-value), 26 SPDX 3.0 JSON-LD."""
    assert len(SPDX2_FILES) == 30
    assert len(SPDX3_FILES) == 26


def test_spdx_json_purls_and_packages_without_them() -> None:
    path = SPDX / "software" / "example9" / "spdx2.2" / "appbomination.spdx.json"
    components = parse(path.name, path.read_bytes()).components
    assert Component("Maven", "junit:junit", "4.12", "pkg:maven/junit/junit@4.12") in components
    assert Component(None, "App-BOM-ination", "1.0", None) in components
    assert len(components) == 7


def test_spdx_tag_value_document() -> None:
    path = SPDX / "software" / "example6" / "spdx2.2" / "example6-lib.spdx"
    inventory = parse(path.name, path.read_bytes())
    assert inventory.format == "SPDX 2.2 tag-value"
    assert pairs(inventory) == {
        ("go-1.15", "1.15.4"),
        ("go", "1.15.4"),
        ("go.fmt", "1.15.4"),
        ("go.reflect", "1.15.4"),
        ("go.strconv", "1.15.4"),
    }


def test_spdx_tag_value_with_purls_and_errors() -> None:
    document = """SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: demo
DocumentNamespace: https://example.com/demo
Creator: Tool: demo
Created: 2024-01-01T00:00:00Z

PackageName: jackson-databind
SPDXID: SPDXRef-1
PackageVersion: 2.13.0
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false
ExternalRef: PACKAGE-MANAGER purl pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.0

PackageName: express
SPDXID: SPDXRef-2
PackageVersion: 4.17.1
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false
ExternalRef: PACKAGE-MANAGER npm express@4.17.1
"""
    inventory = parse("demo.spdx", document.encode())
    assert inventory.components == (
        Component(
            "Maven",
            "com.fasterxml.jackson.core:jackson-databind",
            "2.13.0",
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.0",
        ),
        Component("npm", "express", "4.17.1", "pkg:npm/express@4.17.1"),
    )
    with pytest.raises(InventoryError, match=r"^demo\.spdx: line 9: Unknown tag"):
        parse("demo.spdx", document.replace("PackageName: jackson", "PackageNam jackson").encode())


def test_spdx_ubuntu_purl() -> None:
    path = SCAN_TESTDATA / "sbom-insecure" / "only-unimportant.spdx.json"
    assert parse(path.name, path.read_bytes()).components == (
        Component(
            "Ubuntu",
            "pcre3",
            "2:8.39-12ubuntu0.1",
            "pkg:deb/ubuntu/pcre3@2:8.39-12ubuntu0.1?arch=amd64&distro=focal&source=pcre3",
        ),
    )


# --- detection, limits and hostile input --------------------------------------------------------------------


def test_detection_by_prefix_and_by_content() -> None:
    insecure = SCAN_TESTDATA / "locks-insecure"
    assert parse("my-yarn.lock", (insecure / "my-yarn.lock").read_bytes()).format == "yarn.lock v1"
    renamed = (FIXTURES / "npm" / "two-packages.v2.json").read_bytes()
    assert pairs(parse("upload.json", renamed)) == NPM_TWO
    assert parse("C:\\Users\\me\\PACKAGE-LOCK.JSON", renamed).format == "package-lock.json v2"


def test_unknown_and_empty_uploads() -> None:
    with pytest.raises(InventoryError, match=r"^notes\.txt: unrecognised file: expected a CycloneDX"):
        parse("notes.txt", b"hello")
    with pytest.raises(InventoryError, match=r"^data\.json: not a recognised JSON document"):
        parse("data.json", b'{"hello": "world"}')
    with pytest.raises(InventoryError, match=r"^bom\.json: file is empty$"):
        parse("bom.json", b"  \n")
    assert parse("package-lock.json", b"").warnings == ("file is empty",)


def test_size_limit() -> None:
    with pytest.raises(InventoryError, match=r"^bom\.json: 50\.0 MiB is over the 50 MiB limit$"):
        parse("bom.json", b" " * (MAX_BYTES + 1))


def test_not_utf8_is_rejected() -> None:
    with pytest.raises(InventoryError, match=r"^yarn\.lock: not UTF-8 text \(byte 0xff at offset 3\)$"):
        parse("yarn.lock", b"abc\xff")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library">
<name>&lol4;</name></component></components></bom>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<project><dependencies><dependency><groupId>&secret;</groupId><artifactId>a</artifactId>
<version>1</version></dependency></dependencies></project>"""


@pytest.mark.parametrize(("filename", "data"), [("bom.xml", BILLION_LAUGHS), ("pom.xml", EXTERNAL_ENTITY)])
def test_xml_with_entities_is_refused(filename: str, data: bytes) -> None:
    with pytest.raises(InventoryError) as caught:
        parse(filename, data)
    assert str(caught.value) == f"{filename}: refused: XML with a DTD or entity declarations is not accepted"


@pytest.mark.parametrize(
    ("purl_type", "namespace", "ecosystem"),
    [
        ("pypi", None, "PyPI"),
        ("npm", "@babel", "npm"),
        ("maven", "org.apache", "Maven"),
        ("golang", "github.com/x", "Go"),
        ("cargo", None, "crates.io"),
        ("gem", None, "RubyGems"),
        ("nuget", None, "NuGet"),
        ("composer", "laravel", "Packagist"),
        ("pub", None, "Pub"),
        ("hex", None, "Hex"),
        ("deb", "debian", "Debian"),
        ("deb", "ubuntu", "Ubuntu"),
        ("deb", None, "Debian"),
        ("apk", "alpine", "Alpine"),
        ("apk", "wolfi", "Wolfi"),
        ("rpm", "redhat", "Red Hat"),
        ("rpm", "opensuse", "openSUSE"),
        ("rpm", "fedora", None),
        ("rpm", None, None),
        ("PyPI", None, "PyPI"),
        ("generic", None, None),
        ("github", "octo", None),
    ],
)
def test_ecosystem_for_purl(purl_type: str, namespace: str | None, ecosystem: str | None) -> None:
    assert ecosystem_for_purl(purl_type, namespace) == ecosystem
