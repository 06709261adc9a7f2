"""Lockfiles from google/osv-scalibr's extractor test data, read the way scalibr's own tests expect.

The 81 files of ``../shared/data/lockfiles/osv-scalibr/fixtures`` (provenance in
``../shared/data/SOURCES.md``) are each decided here: ossdesk agrees with what scalibr's ``*_test.go``
beside the file expects, or differs on purpose, and then the case names the row of the table in
``docs/security.md`` ("Lockfiles: where ossdesk differs from osv-scalibr") that says why. Expectations are
(name, version, scope) in ossdesk's spelling: PyPI names PEP 503-normalised, Go module versions with their
``v``, one scope per component (runtime, ``optional`` or ``dev``) where scalibr lists group names. Every
file of the folder must have a case, and every difference must be in the documentation table, so neither
can drift from the other.

The rest of the file proves the corrections this comparison brought (go.mod's standard library, pip's
``-C`` option, Maven profiles and duplicate declarations, Poetry 2 groups, uv dependency groups) on inputs
written for the purpose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ossdesk.domain import osv
from ossdesk.domain.inventory import Inventory, InventoryError, parse
from ossdesk.domain.scan import AdvisoryIndex, scan

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = ROOT.parent / "shared" / "data"
SCALIBR = SHARED_DATA / "lockfiles" / "osv-scalibr" / "fixtures"
GO_ADVISORIES = SHARED_DATA / "advisories" / "osv-go.tar.gz"
SECURITY_DOC = ROOT / "docs" / "security.md"

needs_shared = pytest.mark.skipif(not SCALIBR.is_dir(), reason="../shared/data is not beside the checkout")

# scalibr's extractor folder -> the name the tool gives the file (the upload name detects the format).
UPLOAD_NAMES = {
    "packageslockjson": "packages.lock.json",
    "gomod": "go.mod",
    "pomxml": "pom.xml",
    "packagelockjson": "package-lock.json",
    "pnpmlock": "pnpm-lock.yaml",
    "yarnlock": "yarn.lock",
    "composerlock": "composer.lock",
    "pdmlock": "pdm.lock",
    "pipfilelock": "Pipfile.lock",
    "poetrylock": "poetry.lock",
    "requirements": "requirements.txt",
    "uvlock": "uv.lock",
    "gemfilelock": "Gemfile.lock",
    "cargolock": "Cargo.lock",
}

Triple = tuple[str, str | None, str | None]


def read(fixture: str) -> Inventory:
    return parse(UPLOAD_NAMES[fixture.split("/")[1]], (SCALIBR / fixture).read_bytes())


def triples(inventory: Inventory) -> set[Triple]:
    return {(c.name, c.version, c.scope) for c in inventory.components}


def runtime(*pairs: tuple[str, str | None]) -> set[Triple]:
    return {(name, version, None) for name, version in pairs}


AGREES = ""

# (fixture, expected components, "" when ossdesk agrees with scalibr, else the reason given in the docs)
CASES: list[tuple[str, set[Triple], str]] = [
    # --- .NET
    (
        "dotnet/packageslockjson/valid/packages.lock.json",
        runtime(
            ("Core.Dep", "1.24.0"),
            ("Some.Dep.One", "1.1.1"),
            ("Some.Dep.Two", "4.6.0"),
            ("Some.Dep.Three", "1.0.2"),
            ("Some.Dep.Four", "4.5.0"),
            ("Some.Longer.Name.Dep", "4.7.2"),
            ("Some.Dep.Five", "4.7.2"),
            ("Another.Longer.Name.Dep", "4.5.4"),
        ),
        AGREES,
    ),
    # --- Go: the standard library is a component, spelt as OSV's Go records spell releases
    (
        "golang/gomod/indirect-1.23.mod",
        runtime(
            ("github.com/sirupsen/logrus", "v1.9.3"),
            ("golang.org/x/sys", "v0.0.0-20220715151400-c0bba94af5f8"),
            ("stdlib", "1.23.0"),
        ),
        "stdlib spelling",
    ),
    (
        "golang/gomod/indirect-packages.mod",
        runtime(
            ("github.com/BurntSushi/toml", "v1.0.0"),
            ("gopkg.in/yaml.v2", "v2.4.0"),
            ("github.com/mattn/go-colorable", "v0.1.9"),
            ("github.com/mattn/go-isatty", "v0.0.14"),
            ("golang.org/x/sys", "v0.0.0-20210630005230-0f9fa26af87c"),
            ("stdlib", "1.17.0"),
        ),
        "stdlib spelling",
    ),
    (
        "golang/gomod/replace-different.mod",
        runtime(("example.com/fork/foe", "v1.4.5"), ("example.com/fork/foe", "v1.4.2")),
        AGREES,
    ),
    ("golang/gomod/replace-local.mod", runtime(("github.com/BurntSushi/toml", "v1.0.0")), "local packages"),
    ("golang/gomod/replace-no-version.mod", runtime(("example.com/fork/net", "v1.4.5")), AGREES),
    (
        "golang/gomod/toolchain.mod",
        runtime(("github.com/BurntSushi/toml", "v1.0.0"), ("stdlib", "1.23.6")),
        AGREES,
    ),
    (
        "golang/gomod/two-packages.mod",
        runtime(
            ("github.com/BurntSushi/toml", "v1.0.0"), ("gopkg.in/yaml.v2", "v2.4.0"), ("stdlib", "1.17.0")
        ),
        "stdlib spelling",
    ),
    # --- Maven
    ("java/pomxml/ambiguous-interpolation.xml", runtime(("com.example:common-lib", "1.0.0")), AGREES),
    (
        "java/pomxml/explicit-jar.xml",
        runtime(("org.different:my-lib", "1.0.0"), ("com.example:my-lib", "1.0.0")),
        AGREES,
    ),
    ("java/pomxml/interpolate-drop.xml", runtime(("com.example:actual-artifact", "1.0.0")), AGREES),
    (
        "java/pomxml/interpolation.xml",
        runtime(("org.mine:mypackage", "1.0.0"), ("org.mine:my.package", "2.3.4")),
        "Maven version ranges",
    ),
    ("java/pomxml/multi-version.xml", runtime(("abc:example.com", "1.1.1")), "Maven duplicate declarations"),
    ("java/pomxml/plugin-dependency.xml", runtime(("com.example:hijack-lib", "1.0.0")), AGREES),
    ("java/pomxml/profiles.xml", runtime(("org.profile:profile-dep", "1.2.3")), AGREES),
    (
        "java/pomxml/transitive.xml",
        runtime(("org.direct:alice", "1.0.0"), ("org.direct:bob", "2.0.0"), ("org.direct:chris", "3.0.0")),
        AGREES,
    ),
    (
        "java/pomxml/with-dependency-management.xml",
        runtime(("io.netty:netty-all", "4.1.9"), ("org.slf4j:slf4j-log4j12", "1.7.25")),
        "Maven managed-only entries",
    ),
    ("java/pomxml/with-scope.xml", {("abc:xyz", "1.2.3", None), ("junit:junit", "4.12", "dev")}, AGREES),
    ("java/pomxml/with-type-classifier.xml", runtime(("abc:xyz", "1.0.0")), AGREES),
    # --- npm: package-lock.json
    (
        "javascript/packagelockjson/alias.v1.json",
        runtime(("@babel/code-frame", "7.0.0"), ("string-width", "4.2.0"), ("string-width", "5.1.2")),
        AGREES,
    ),
    (
        "javascript/packagelockjson/alias.v2.json",
        runtime(("@babel/code-frame", "7.0.0"), ("string-width", "4.2.0"), ("string-width", "5.1.2")),
        AGREES,
    ),
    (
        "javascript/packagelockjson/bundled-dependencies.v3.json",
        {("ansi-regex", "6.2.2", None), ("semver", "7.7.2", "dev"), ("strip-ansi", "7.1.2", None)},
        AGREES,
    ),
    (
        "javascript/packagelockjson/commits.v1.json",
        {
            ("@segment/analytics.js-integration-facebook-pixel", None, None),
            ("ansi-styles", "1.0.0", None),
            ("babel-preset-php", None, None),
            ("is-number-1", None, "dev"),
            ("is-number-2", None, None),
            ("is-number-3", None, "dev"),
            ("is-number-4", None, "dev"),
            ("is-number-5", None, "dev"),
            ("is-number-6", None, "dev"),
            ("postcss-calc", "7.0.1", None),
            ("raven-js", None, None),
            ("slick-carousel", None, "dev"),
        },
        "git commits",
    ),
    (
        "javascript/packagelockjson/commits.v2.json",
        {
            ("@segment/analytics.js-integration-facebook-pixel", "2.4.1", None),
            ("ansi-styles", "1.0.0", None),
            ("babel-preset-php", "1.1.1", "dev"),
            ("is-number-1", "3.0.0", "dev"),
            ("is-number-2", "2.0.0", "dev"),
            ("is-number-3", "2.0.0", "dev"),
            ("is-number-3", "3.0.0", "dev"),
            ("is-number-4", "3.0.0", "dev"),
            ("is-number-5", "3.0.0", "dev"),
            ("postcss-calc", "7.0.1", None),
            ("raven-js", None, None),
            ("slick-carousel", "1.7.1", "dev"),
        },
        "git commits",
    ),
    ("javascript/packagelockjson/files.v1.json", runtime(("lodash", "1.3.1")), "local packages"),
    (
        "javascript/packagelockjson/files.v2.json",
        {("abbrev", "1.0.9", "dev"), ("abbrev", "2.3.4", "dev")},
        "local packages",
    ),
    (
        "javascript/packagelockjson/optional-package.v1.json",
        {("wrappy", "1.0.2", "dev"), ("supports-color", "5.5.0", "optional")},
        AGREES,
    ),
    (
        "javascript/packagelockjson/same-package-different-groups.v2.json",
        {("ajv", "5.5.2", None), ("eslint", "1.2.3", "dev"), ("table", "1.0.0", None)},
        AGREES,
    ),
    # --- npm: pnpm-lock.yaml
    ("javascript/pnpmlock/commits.v9.yaml", runtime(("ansi-regex", "6.0.1"), ("is-number", "7.0.0")), AGREES),
    (
        "javascript/pnpmlock/commits.yaml",
        runtime(
            ("my-bitbucket-package", "1.0.0"),
            ("@my-scope/my-package", "1.0.0"),
            ("@my-scope/my-other-package", "1.0.0"),
            ("faker-parser", "0.0.1"),
            ("mocks", "20.0.1"),
        ),
        AGREES,
    ),
    (
        "javascript/pnpmlock/exotic.yaml",
        runtime(
            ("foo", "1.0.0"),
            ("@foo/bar", "1.0.0"),
            ("foo", "1.1.0"),
            ("@foo/bar", "1.1.0"),
            ("foo", "1.2.0"),
            ("foo", "1.3.0"),
            ("foo", "1.4.0"),
        ),
        AGREES,
    ),
    ("javascript/pnpmlock/files.yaml", set(), "local packages"),
    ("javascript/pnpmlock/invalid-path.yaml", runtime(("acorn", "8.7.0")), "pnpm invalid path"),
    (
        "javascript/pnpmlock/mixed-groups.v9.yaml",
        {("ansi-regex", "5.0.1", None), ("is-number", "7.0.0", "dev"), ("uuid", "8.3.2", "optional")},
        "pnpm v9 scopes",
    ),
    (
        "javascript/pnpmlock/peer-dependencies-advanced-rc-v6.yaml",
        runtime(
            ("js-tokens", "4.0.0"),
            ("loose-envify", "1.4.0"),
            ("react-dom", "18.0.0-rc.3"),
            ("react", "18.2.0"),
            ("scheduler", "0.21.0"),
        ),
        AGREES,
    ),
    (
        "javascript/pnpmlock/peer-dependencies-advanced-v6.yaml",
        runtime(
            ("js-tokens", "4.0.0"),
            ("loose-envify", "1.4.0"),
            ("react-dom", "18.3.0-canary-ab31a9ed2-20230824"),
            ("react", "18.3.0-canary-ab31a9ed2-20230824"),
            ("scheduler", "0.24.0-canary-ab31a9ed2-20230824"),
        ),
        AGREES,
    ),
    (
        "javascript/pnpmlock/peer-dependencies-advanced.v9.yaml",
        runtime(
            ("@eslint-community/eslint-utils", "4.4.0"),
            ("@eslint/eslintrc", "2.1.4"),
            ("@typescript-eslint/eslint-plugin", "5.62.0"),
            ("@typescript-eslint/parser", "5.62.0"),
            ("@typescript-eslint/type-utils", "5.62.0"),
            ("@typescript-eslint/typescript-estree", "5.62.0"),
            ("@typescript-eslint/utils", "5.62.0"),
            ("debug", "4.3.4"),
            ("eslint", "8.57.0"),
            ("has-flag", "4.0.0"),
            ("supports-color", "7.2.0"),
            ("tsutils", "3.21.0"),
            ("typescript", "4.9.5"),
        ),
        AGREES,
    ),
    # --- npm: yarn.lock
    (
        "javascript/yarnlock/commits.v1.lock",
        runtime(
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
        ),
        AGREES,
    ),
    (
        "javascript/yarnlock/commits.v2.lock",
        runtime(
            ("@my-scope/my-first-package", "0.0.6"),
            ("my-second-package", "0.2.2"),
            ("@typegoose/typegoose", "7.2.0"),
            ("vuejs", "2.5.0"),
            ("my-third-package", "0.16.1-dev"),
            ("my-node-sdk", "1.1.0"),
            ("is-really-great", "1.0.0"),
        ),
        AGREES,
    ),
    ("javascript/yarnlock/exclude-root.v2.lock", runtime(("ansi-regex", "6.1.0")), AGREES),
    ("javascript/yarnlock/files.v1.lock", runtime(("etag", "1.8.1"), ("lodash", "1.3.1")), "local packages"),
    ("javascript/yarnlock/files.v2.lock", set(), "local packages"),
    ("javascript/yarnlock/no-version.v1.lock", runtime(("balanced-match", "1.0.2")), AGREES),
    (
        "javascript/yarnlock/with-aliases.v1.lock",
        runtime(
            ("ansi-regex", "5.0.1"),
            ("ansi-regex", "6.0.1"),
            ("@babel/helper-validator-identifier", "7.22.20"),
        ),
        AGREES,
    ),
    (
        "javascript/yarnlock/with-aliases.v2.lock",
        runtime(
            ("ansi-regex", "5.0.1"),
            ("ansi-regex", "6.0.1"),
            ("@babel/helper-validator-identifier", "7.22.20"),
        ),
        AGREES,
    ),
    (
        "javascript/yarnlock/with-prerelease.v1.lock",
        runtime(
            ("css-tree", "1.0.0-alpha.37"),
            ("gensync", "1.0.0-beta.2"),
            ("node-fetch", "3.0.0-beta.9"),
            ("resolve", "1.20.0"),
            ("resolve", "2.0.0-next.3"),
        ),
        AGREES,
    ),
    # --- Packagist
    (
        "php/composerlock/drupal-packages.json",
        {
            ("drupal/core", "10.4.5", None),
            ("drupal/tfa", "2.0.0-alpha4", None),
            ("theseer/tokenizer", "1.1.3", None),
            ("drupal/field_time", "1.0.0-beta5", "dev"),
        },
        AGREES,
    ),
    (
        "php/composerlock/duplicate-packages.json",
        {("sentry/sdk", "2.0.4", None), ("sentry/sdk", "2.0.5", None), ("sentry/sdk", "3.0.0-dev", "dev")},
        AGREES,
    ),
    (
        "php/composerlock/two-packages.json",
        {("sentry/sdk", "2.0.4", None), ("theseer/tokenizer", "1.1.3", "dev")},
        AGREES,
    ),
    # --- PyPI
    (
        "python/pdmlock/dev-dependency.toml",
        {("pyroute2", "0.7.11", "dev"), ("toml", "0.10.2", None), ("win-inet-pton", "1.1.0", "dev")},
        AGREES,
    ),
    ("python/pdmlock/git-dependency.toml", runtime(("toml", "0.10.2")), AGREES),
    (
        "python/pdmlock/optional-dependency.toml",
        {
            ("pyroute2", "0.7.11", "optional"),
            ("toml", "0.10.2", None),
            ("win-inet-pton", "1.1.0", "optional"),
        },
        AGREES,
    ),
    ("python/pipfilelock/minified.json", runtime(("markupsafe", "2.1.1")), AGREES),
    (
        "python/pipfilelock/multiple-packages.json",
        {
            ("itsdangerous", "2.1.2", None),
            ("pluggy", "1.0.1", None),
            ("markupsafe", "2.1.1", None),
            ("pluggy", "1.0.0", "dev"),
        },
        AGREES,
    ),
    ("python/pipfilelock/no-version.json", set(), AGREES),
    (
        "python/poetrylock/multiple-packages.v2.lock",
        {
            ("async-timeout", "5.0.1", "optional"),
            ("factory-boy", "3.3.1", "dev"),
            ("faker", "33.3.0", "dev"),
            ("proto-plus", "1.22.0", None),
            ("proto-plus", "1.23.0", None),
            ("protobuf", "4.25.5", None),
            ("python-dateutil", "2.9.0.post0", "dev"),
            ("redis", "5.2.1", "optional"),
            ("six", "1.17.0", None),
            ("typing-extensions", "4.12.2", "dev"),
            ("urllib3", "2.3.0", "dev"),
        },
        AGREES,
    ),
    (
        "python/poetrylock/names-outside-package-block.lock",
        runtime(("first-pkg", "1.0.0"), ("second-pkg", "2.0.0")),
        AGREES,
    ),
    ("python/poetrylock/source-git.lock", runtime(("ike", "0.2.0")), AGREES),
    (
        "python/requirements/comments.txt",
        runtime(
            ("pycrypto", "1.2-alpha"), ("gmpy2", "1"), ("sympy", "1.2"), ("requests", "1.0"), ("six", "1.2")
        ),
        AGREES,
    ),
    ("python/requirements/env_var.txt", runtime(("asdf", "1.2"), ("another", "1.0")), AGREES),
    ("python/requirements/example.txt", runtime(("docopt", "0.6.1")), "requirement bounds and includes"),
    ("python/requirements/extras.txt", runtime(("pyjwt", "2.1.0"), ("celery", "4.4.7")), AGREES),
    ("python/requirements/multiline_and_comments.txt", runtime(("pkga", "1.0"), ("pkgb", "2.0")), AGREES),
    ("python/requirements/no_version.txt", set(), AGREES),
    (
        "python/requirements/per_req_options.txt",
        runtime(
            *((f"foo{n}", "1.0") for n in (1, 2, 3, 4, 5, 6, 8, 9, 11, 12, 13, 14)),
            ("foo16-client", "1.0"),
            ("foo17-hash", "1.0"),
            ("foo18-client", "1.0"),
        ),
        "requirement text before options",
    ),
    ("python/requirements/trailing_backslash.txt", runtime(("pkg1", "1.0")), AGREES),
    (
        "python/requirements/with_versions.txt",
        runtime(
            ("nltk", "3.2.2"),
            ("tabulate", "0.7.7"),
            ("qwerty", "0.1"),
            ("hy-phen", "1.2"),
            ("under-score", "1.3"),
            ("pkg-dot-name", "5.0.0"),
            ("yolo", "1.0"),
        ),
        "requirement bounds and includes",
    ),
    (
        "python/uvlock/grouped-packages.lock",
        {("emoji", "2.14.0", None)}
        | {
            (name, version, "optional")
            for name, version in (
                ("black", "24.10.0"),
                ("click", "8.1.7"),
                ("colorama", "0.4.6"),
                ("flake8", "7.1.1"),
                ("mccabe", "0.7.0"),
                ("mypy-extensions", "1.0.0"),
                ("packaging", "24.2"),
                ("pathspec", "0.12.1"),
                ("platformdirs", "4.3.6"),
                ("pycodestyle", "2.12.1"),
                ("pyflakes", "3.2.0"),
                ("tomli", "2.2.1"),
                ("typing-extensions", "4.12.2"),
            )
        },
        "uv extras",
    ),
    (
        "python/uvlock/names-outside-package-block.lock",
        runtime(("first-pkg", "1.0.0"), ("second-pkg", "2.0.0")),
        AGREES,
    ),
    ("python/uvlock/source-git.lock", runtime(("ruff", "0.8.1")), AGREES),
    # --- RubyGems
    (
        "ruby/gemfilelock/has-git-gem.lock",
        runtime(
            ("hanami-controller", "2.0.0.alpha1"),
            ("hanami-utils", "2.0.0.alpha1"),
            ("concurrent-ruby", "1.1.7"),
            ("rack", "2.2.3"),
            ("transproc", "1.1.1"),
        ),
        AGREES,
    ),
    ("ruby/gemfilelock/source-section-at-end.lock", runtime(("ast", "2.4.2")), AGREES),
    # --- crates.io
    ("rust/cargolock/duplicate.lock", runtime(("syn", "1.0.73"), ("syn", "2.0.0")), AGREES),
    (
        "rust/cargolock/many-packages.lock",
        runtime(
            ("zstd", "0.11.2"),
            ("aho-corasick", "0.7.18"),
            ("memchr", "2.4.1"),
            ("syn", "1.0.109"),
            ("libc", "0.2.140"),
            ("syn", "2.0.15"),
        ),
        AGREES,
    ),
    (
        "rust/cargolock/package-with-comments.lock",
        runtime(("addr2line", "0.15.2"), ("syn", "1.0.73")),
        AGREES,
    ),
    ("rust/cargolock/two-packages-with-local.lock", runtime(("addr2line", "0.15.2")), "local packages"),
]

# Larger files: (fixture, component count, members, difference).
COUNT_CASES: list[tuple[str, int, set[Triple], str]] = [
    (
        "javascript/packagelockjson/nested-dependencies-dup.v1.json",
        39,
        runtime(("supports-color", "2.0.0"), ("supports-color", "5.5.0"), ("supports-color", "6.1.0")),
        AGREES,
    ),
    # backbone-on-rails comes from a PATH section (a directory of the project); nokogiri loses its platform.
    (
        "ruby/gemfilelock/has-local-gem.lock",
        29,
        runtime(("nokogiri", "1.13.3"), ("zeitwerk", "2.5.4")),
        "local packages",
    ),
    ("ruby/gemfilelock/rails.lock", 46, runtime(("actioncable", "7.0.2.2"), ("zeitwerk", "2.5.4")), AGREES),
]

# Files scalibr fails on, and so does ossdesk: (fixture, the one-line error).
ERROR_CASES = [
    ("dotnet/packageslockjson/invalid/invalid", "packages.lock.json: line 1: Expecting value"),
    ("golang/gomod/not-go-mod.mod", "go.mod: line 1: unknown directive 'this'"),
]


# Where ossdesk skips what scalibr reports, it says so: the warnings that carry each such difference.
DIFFERENCE_WARNINGS = {
    "golang/gomod/replace-local.mod": [
        "line 2: golang.org/x/net v1.2.3 is replaced by the local directory ./fork/net; skipped"
    ],
    "java/pomxml/interpolation.xml": [
        "org.mine:ranged-package: [9.4.35.v20201120,9.5) is a version range, not a pinned version; skipped"
    ],
    "java/pomxml/multi-version.xml": [
        "abc:example.com is declared twice; Maven builds the last declaration (1.1.1), not 1.0.0"
    ],
    "javascript/pnpmlock/invalid-path.yaml": ["invalidpath: no registry name and version; skipped"],
    "python/requirements/example.txt": [
        "line 13: keyring is not pinned (>=4.1.1); skipped",
        "line 17: Mopidy-Dirble is not pinned (~=1.1); skipped",
        "line 21: other-requirements.txt is included with -r, not followed; upload it too",
    ],
    "python/requirements/with_versions.txt": [
        "line 3: newspaper3k is not pinned (>=0.2.2); skipped",
        "line 12: pkg is not pinned (<=1.2.3); skipped",
    ],
    "python/requirements/per_req_options.txt": [
        "line 13: cannot read 'foo7==1.0 unexpected_text_before_options_stays_around': Expected comma (within"
        " version specifier), semicolon (after version specifier) or end"
    ],
}


@needs_shared
@pytest.mark.parametrize(("fixture", "expected"), DIFFERENCE_WARNINGS.items(), ids=list(DIFFERENCE_WARNINGS))
def test_scalibr_differences_are_warned(fixture: str, expected: list[str]) -> None:
    warnings = read(fixture).warnings
    assert [w for w in expected if w in warnings] == expected


@needs_shared
@pytest.mark.parametrize(("fixture", "expected", "difference"), CASES, ids=[c[0] for c in CASES])
def test_scalibr_fixture(fixture: str, expected: set[Triple], difference: str) -> None:
    assert triples(read(fixture)) == expected


@needs_shared
@pytest.mark.parametrize(
    ("fixture", "count", "members", "difference"), COUNT_CASES, ids=[c[0] for c in COUNT_CASES]
)
def test_scalibr_fixture_counts(fixture: str, count: int, members: set[Triple], difference: str) -> None:
    found = triples(read(fixture))
    assert len(found) == count
    assert members <= found


@needs_shared
@pytest.mark.parametrize(("fixture", "message"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_scalibr_fixture_errors(fixture: str, message: str) -> None:
    with pytest.raises(InventoryError) as raised:
        read(fixture)
    assert str(raised.value) == message


@needs_shared
def test_every_scalibr_fixture_is_decided() -> None:
    on_disk = {p.relative_to(SCALIBR).as_posix() for p in SCALIBR.rglob("*") if p.is_file()}
    decided = [c[0] for c in CASES] + [c[0] for c in COUNT_CASES] + [c[0] for c in ERROR_CASES]
    assert len(decided) == len(set(decided)) == 81
    assert set(decided) == on_disk


def _documented_differences() -> dict[str, str]:
    """fixture -> reason, from the table of docs/security.md's section on osv-scalibr."""
    text = SECURITY_DOC.read_text(encoding="utf-8")
    section = text.split("### Lockfiles: where ossdesk differs from osv-scalibr", 1)[1].split("\n#", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0].startswith("`"):
            for fixture in re.findall(r"`([^`]+)`", cells[0]):
                rows[fixture] = cells[1]
    return rows


def test_every_difference_is_documented_and_nothing_else() -> None:
    differing = {c[0]: c[-1] for c in [*CASES, *COUNT_CASES] if c[-1]}
    assert _documented_differences() == differing


# --- go.mod: the standard library ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("directives", "stdlib"),
    [
        ("go 1.17", "1.17.0"),  # the first 1.17 release was named go1.17
        ("go 1.21", "1.21.0"),  # since Go 1.21 a language version: its first release is 1.21.0
        ("go 1.21.0", "1.21.0"),
        ("go 1.21rc2", "1.21.0-rc.2"),
        ("go 1.23.5\ntoolchain go1.23.6", "1.23.6"),
        ("go 1.22\ntoolchain go1.22.1-custom", "1.22.1"),  # a vendor build of go1.22.1
        (
            "go 1.22.4\ntoolchain go1.21.0",
            "1.22.4",
        ),  # Go never builds with a toolchain older than the go line
        ("toolchain go1.20.14", "1.20.14"),
    ],
)
def test_go_mod_standard_library_version(directives: str, stdlib: str) -> None:
    content = f"module example.com/app\n\n{directives}\n\nrequire golang.org/x/net v0.23.0\n".encode()
    components = {c.name: c for c in parse("go.mod", content).components}
    assert components["stdlib"].version == stdlib
    assert components["stdlib"].ecosystem == "Go"
    assert components["stdlib"].purl == f"pkg:golang/stdlib@{stdlib}"
    assert components["golang.org/x/net"].version == "v0.23.0"


def test_go_mod_without_go_line_has_no_standard_library() -> None:
    inventory = parse("go.mod", b"module example.com/app\nrequire golang.org/x/net v0.23.0\n")
    assert [c.name for c in inventory.components] == ["golang.org/x/net"]


def test_go_mod_unreadable_toolchain_falls_back_to_the_go_line_with_a_warning() -> None:
    inventory = parse("go.mod", b"module example.com/app\ngo 1.22.3\ntoolchain local\n")
    assert [(c.name, c.version) for c in inventory.components] == [("stdlib", "1.22.3")]
    assert inventory.warnings == (
        "line 3: toolchain local: not a Go release; the standard library version is unknown",
    )


def _stdlib_index() -> AdvisoryIndex:
    """The Go vulnerability database's records for the standard library and the toolchain."""
    records = []
    for name, data in osv.iter_members(GO_ADVISORIES):
        if b'"stdlib"' in data or b'"toolchain"' in data:
            records.append(osv.load_record(data, name))
    return AdvisoryIndex.from_records(records)


def _matched(index: AdvisoryIndex, go_mod: bytes) -> set[str]:
    inventory = parse("go.mod", go_mod)
    result = scan("go.mod", inventory.format, inventory.components, index)
    return {v.advisory.id for p in result.packages if p.component.name == "stdlib" for v in p.vulnerabilities}


@pytest.mark.skipif(not GO_ADVISORIES.is_file(), reason="../shared/data is not beside the checkout")
def test_go_standard_library_advisories_match_a_customer_module() -> None:
    index = _stdlib_index()
    # Two standard-library records of the shared data: GO-2025-3447 fixed in 1.23.6, GO-2025-3503 in 1.23.7.
    on_go_line = _matched(index, b"module example.com/app\n\ngo 1.23.5\n")
    assert {"GO-2025-3447", "GO-2025-3503"} <= on_go_line
    on_toolchain = _matched(index, (SCALIBR / "golang/gomod/toolchain.mod").read_bytes())
    assert "GO-2025-3447" not in on_toolchain
    assert "GO-2025-3503" in on_toolchain
    # Every stdlib match is one the record itself says affects the version, by the OSV algorithm.
    for advisory in on_go_line:
        affected = [a for a in index.entries[("Go", "stdlib")] if a[0].id == advisory]
        assert any(entry.affects("1.23.5") for _, entry in affected)


# --- requirements.txt: per-requirement options ------------------------------------------------------------


def test_requirements_keep_a_pinned_line_with_per_requirement_options() -> None:
    content = (
        b"foo==1.0 -C bar\n"
        b"baz==2.0 --config-settings=editable_mode=compat\n"
        b"qux==3.0 --hash=sha256:0123 --global-option=--no-user-cfg\n"
        b"env==4.0 -C key=${BUILD_FLAVOUR}\n"
    )
    inventory = parse("requirements.txt", content)
    assert {(c.name, c.version) for c in inventory.components} == {
        ("foo", "1.0"),
        ("baz", "2.0"),
        ("qux", "3.0"),
        ("env", "4.0"),
    }
    assert inventory.warnings == ()


def test_requirements_version_from_an_environment_variable_is_named_in_the_warning() -> None:
    inventory = parse("requirements.txt", b"qwert==${MY_VARIABLE_1}\nasdf==1.2\n")
    assert [(c.name, c.version) for c in inventory.components] == [("asdf", "1.2")]
    assert inventory.warnings == (
        "line 1: 'qwert==${MY_VARIABLE_1}' depends on the environment variable MY_VARIABLE_1, unknown here;"
        " skipped",
    )


# --- pom.xml: profiles and duplicate declarations ---------------------------------------------------------


POM_WITH_PROFILES = b"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <groupId>com.example</groupId><artifactId>app</artifactId><version>1.0.0</version>
  <properties><jackson.version>2.15.0</jackson.version></properties>
  <dependencies>
    <dependency><groupId>org.yaml</groupId><artifactId>snakeyaml</artifactId><version>1.33</version></dependency>
  </dependencies>
  <profiles>
    <profile>
      <id>default-stack</id>
      <activation><activeByDefault>true</activeByDefault></activation>
      <properties><jackson.version>2.13.0</jackson.version></properties>
      <dependencies>
        <dependency>
          <groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId>
          <version>${jackson.version}</version>
        </dependency>
        <dependency>
          <groupId>org.yaml</groupId><artifactId>snakeyaml</artifactId><version>2.0</version>
        </dependency>
      </dependencies>
    </profile>
    <profile>
      <id>legacy-jdk</id>
      <activation><jdk>1.8</jdk></activation>
      <dependencies>
        <dependency><groupId>log4j</groupId><artifactId>log4j</artifactId><version>1.2.17</version></dependency>
      </dependencies>
    </profile>
    <profile><id>empty</id></profile>
  </profiles>
</project>"""


def test_pom_reads_the_profiles_active_by_default_and_warns_about_the_others() -> None:
    inventory = parse("pom.xml", POM_WITH_PROFILES)
    # The active profile's property and its later declaration of snakeyaml win, as Maven merges them.
    assert {(c.name, c.version) for c in inventory.components} == {
        ("com.fasterxml.jackson.core:jackson-databind", "2.13.0"),
        ("org.yaml:snakeyaml", "2.0"),
    }
    assert inventory.warnings == (
        "profile legacy-jdk is not active in a plain build; its 1 dependencies are not read (upload the"
        " effective POM of the build: mvn help:effective-pom)",
        "org.yaml:snakeyaml is declared twice; Maven builds the last declaration (2.0), not 1.33",
    )


def _pom_profile(profile_id: str, activation: str, artifact: str) -> str:
    return f"""<profile><id>{profile_id}</id><activation>{activation}</activation><dependencies>
      <dependency><groupId>org.example</groupId><artifactId>{artifact}</artifactId><version>1.0</version></dependency>
    </dependencies></profile>"""


@pytest.mark.parametrize(
    ("profiles", "read", "not_read"),
    [
        # A property that must be absent, or must not have a value: a plain build has neither.
        (
            [("no-skip", "<property><name>!skipDocs</name></property>", "docs")],
            {"org.example:docs"},
            [],
        ),
        (
            [("not-prod", "<property><name>env</name><value>!prod</value></property>", "dev-tools")],
            {"org.example:dev-tools"},
            [],
        ),
        # Active by its condition, it turns the activeByDefault profile off, as Maven does.
        (
            [
                ("default", "<activeByDefault>true</activeByDefault>", "defaults"),
                ("no-skip", "<property><name>!skipDocs</name></property>", "docs"),
            ],
            {"org.example:docs"},
            ["default"],
        ),
        # A property that must be present, or a JDK: the build decides.
        (
            [
                ("release", "<property><name>release</name></property>", "signing"),
                ("jdk", "<jdk>[17,)</jdk><property><name>!skipDocs</name></property>", "jdk17"),
            ],
            set(),
            ["release", "jdk"],
        ),
    ],
)
def test_pom_profiles_a_plain_build_activates(
    profiles: list[tuple[str, str, str]], read: set[str], not_read: list[str]
) -> None:
    content = (
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><profiles>'
        + "".join(_pom_profile(*profile) for profile in profiles)
        + "</profiles></project>"
    ).encode()
    inventory = parse("pom.xml", content)
    assert {c.name for c in inventory.components} == read
    assert [w.split(" ")[1] for w in inventory.warnings] == not_read


# --- pnpm 9: dev dependencies ---------------------------------------------------------------------------

PNPM_9 = b"""lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      express:
        specifier: ^4.21.0
        version: 4.21.2
    devDependencies:
      jest:
        specifier: ^29.7.0
        version: 29.7.0(@types/node@22.10.2)
      string-width-cjs:
        specifier: npm:string-width@^4.2.0
        version: string-width@4.2.3

  packages/tools:
    devDependencies:
      workspace-lib:
        specifier: workspace:*
        version: link:../lib

packages:

  '@types/node@22.10.2':
    resolution: {integrity: sha512-a}

  express@4.21.2:
    resolution: {integrity: sha512-b}

  jest@29.7.0:
    resolution: {integrity: sha512-c}

  debug@2.6.9:
    resolution: {integrity: sha512-d}

  ms@2.0.0:
    resolution: {integrity: sha512-e}

  string-width@4.2.3:
    resolution: {integrity: sha512-f}

  fsevents@2.3.3:
    resolution: {integrity: sha512-g}

snapshots:

  '@types/node@22.10.2': {}

  express@4.21.2:
    dependencies:
      debug: 2.6.9

  jest@29.7.0(@types/node@22.10.2):
    dependencies:
      '@types/node': 22.10.2
      debug: 2.6.9
      ms: 2.0.0
    optionalDependencies:
      fsevents: 2.3.3
    transitivePeerDependencies:
      - supports-color

  debug@2.6.9:
    dependencies:
      ms: 2.0.0

  ms@2.0.0: {}

  string-width@4.2.3: {}

  fsevents@2.3.3:
    optional: true
"""


def test_pnpm_9_dev_dependencies_come_from_the_importers() -> None:
    assert triples(parse("pnpm-lock.yaml", PNPM_9)) == {
        ("express", "4.21.2", None),
        ("debug", "2.6.9", None),  # express needs it too
        ("ms", "2.0.0", None),  # through debug
        ("jest", "29.7.0", "dev"),
        ("@types/node", "22.10.2", "dev"),  # a peer of jest, reached only from it
        ("string-width", "4.2.3", "dev"),  # installed under an alias
        ("fsevents", "2.3.3", "dev"),  # optional, and only for a dev dependency
    }


# --- Poetry 2 and uv: dev dependencies ----------------------------------------------------------------------


def test_poetry_2_groups_other_than_main_are_dev() -> None:
    content = b"""
[[package]]
name = "pytest"
version = "8.3.4"
optional = false
groups = ["dev"]

[[package]]
name = "sphinx"
version = "8.1.3"
optional = false
groups = ["docs", "lint"]

[[package]]
name = "requests"
version = "2.32.3"
optional = false
groups = ["main", "dev"]

[[package]]
name = "redis"
version = "5.2.1"
optional = true
groups = ["main"]

[metadata]
lock-version = "2.1"
"""
    assert triples(parse("poetry.lock", content)) == {
        ("pytest", "8.3.4", "dev"),
        ("sphinx", "8.1.3", "dev"),
        ("requests", "2.32.3", None),
        ("redis", "5.2.1", "optional"),
    }


UV_LOCK = b"""version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "httpx" }]

[package.optional-dependencies]
redis = [{ name = "redis" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]
lint = [{ name = "ruff" }, { name = "httpx", extra = ["cli"] }]

[[package]]
name = "httpx"
version = "0.28.1"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "idna" }]

[package.optional-dependencies]
cli = [{ name = "click" }]

[[package]]
name = "idna"
version = "3.10"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "click"
version = "8.1.8"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.4"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "iniconfig" }, { name = "idna" }]

[[package]]
name = "iniconfig"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "ruff"
version = "0.8.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "redis"
version = "5.2.1"
source = { registry = "https://pypi.org/simple" }
"""


def test_uv_dependency_groups_are_dev_and_extras_optional() -> None:
    assert triples(parse("uv.lock", UV_LOCK)) == {
        ("httpx", "0.28.1", None),
        ("idna", "3.10", None),  # also needed by pytest: runtime wins
        ("redis", "5.2.1", "optional"),
        ("pytest", "8.3.4", "dev"),
        ("iniconfig", "2.0.0", "dev"),  # only through the dev group
        ("ruff", "0.8.4", "dev"),
        ("click", "8.1.8", "dev"),  # httpx[cli], asked for by the lint group only
    }


def test_uv_lock_without_a_workspace_member_keeps_every_package_runtime() -> None:
    content = UV_LOCK.replace(
        b'source = { editable = "." }', b'source = { registry = "https://pypi.org/simple" }'
    )
    assert {scope for _, _, scope in triples(parse("uv.lock", content))} == {None}


def test_uv_extras_that_name_each_other_do_not_loop() -> None:
    content = b"""version = 1
[[package]]
name = "app"
version = "1.0.0"
source = { virtual = "." }
dependencies = [{ name = "a", extra = ["x"] }]

[[package]]
name = "a"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }
[package.optional-dependencies]
x = [{ name = "b", extra = ["y"] }]

[[package]]
name = "b"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }
[package.optional-dependencies]
y = [{ name = "a", extra = ["x"] }]
"""
    assert triples(parse("uv.lock", content)) == {("a", "1.0.0", None), ("b", "1.0.0", None)}
