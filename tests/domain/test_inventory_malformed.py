"""Malformed SBOMs and lockfiles: what each reader refuses (the one-line error naming the file, and the line
when known) and what it skips with a warning while reading the rest."""

from __future__ import annotations

import pytest

from ossdesk.domain.inventory import InventoryError, parse
from ossdesk.domain.inventory._decode import LazyArray, load_json_text_lazily

POM = b"""<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>com.example</groupId><artifactId>app</artifactId><version>1.0</version>
<dependencies><dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version>
<scope>test</scope></dependency></dependencies></project>"""

REFUSED = [
    ("sbom.spdx.json", b'{"spdxVersion": "SPDX2.3"}', "not an SPDX version: 'SPDX2.3'"),
    (
        "sbom.spdx.json",
        b'{"spdxVersion": "SPDX-3.0"}',
        "SPDX 3.0 is not supported; export SPDX 2.3 (JSON or tag-value) or CycloneDX",
    ),
    ("sbom.spdx.json", b'{"spdxVersion": "SPDX-1.2"}', "SPDX 1.2 is not supported (2.x only)"),
    ("sbom.spdx.json", b'{"spdxVersion": "SPDX-2.3", "packages": {"name": "a"}}', "'packages' is not a list"),
    (
        "sbom.spdx",
        b"DataLicense: CC0-1.0\nDocumentName: x\n",
        "not an SPDX tag-value document: no SPDXVersion",
    ),
    ("bom.json", b'{"bomFormat": "CycloneDX", "components": []}', "CycloneDX document without a specVersion"),
    ("package-lock.json", b"[" * 100_000, "JSON nested too deeply"),
    ("bom.json", b'{"bomFormat": ' + b"[" * 100_000, "JSON nested too deeply"),
    (
        "bom.json",
        b'{"bomFormat": "CycloneDX",\n specVersion: "1.5"}',
        "line 2: Expecting property name enclosed in double quotes",
    ),
    ("bom.json", b'{"bomFormat" "CycloneDX"}', "line 1: Expecting ':' delimiter"),
    (
        "pnpm-lock.yaml",
        b"lockfileVersion: '9.0'\n\x07\n",
        "invalid YAML: unacceptable character #x0007: control characters are not allowed"
        ' in "<unicode string>", position 23',
    ),
    ("pnpm-lock.yaml", b"lockfileVersion: '9.0'\npackages:\n  - left-pad@1.3.0\n", "'packages' is not a map"),
    ("packages.lock.json", b'{"version": 1}', "not a NuGet packages.lock.json: no dependencies"),
    ("composer.lock", b'{"content-hash": "x"}', "not a composer.lock: no packages"),
    ("composer.lock", b'{"packages": {"monolog/monolog": "3.0"}}', "'packages' is not a list"),
    ("Cargo.lock", b'version = 3\npackage = "serde"\n', "'package' is not an array of tables"),
    (
        "go.mod",
        b"module example.com/app\n\ngo 1.21\n\nrequire golang.org/x/net\n",
        "line 5: usage: require module/path v1.2.3",
    ),
    (
        "go.mod",
        b"module example.com/app\n\nreplace golang.org/x/net v0.1.0\n",
        "line 3: usage: replace module/path [v1.2.3] => other/path [v1.4.5]",
    ),
    (
        "go.mod",
        b"module example.com/app\n\nreplace a b c => d\n",
        "line 3: usage: replace module/path [v1.2.3] => other/path [v1.4.5]",
    ),
    ("package-lock.json", b'{"lockfileVersion": "3"}', "not a package-lock.json: no lockfileVersion"),
    ("poetry.lock", b'package = "django"\n', "'package' is not an array of tables"),
    ("Pipfile.lock", b'{"default": {}}', "not a Pipfile.lock: no _meta"),
    ("Pipfile.lock", b'{"_meta": {}, "default": ["requests==2.31.0"]}', "'default' is not an object"),
]


@pytest.mark.parametrize(("filename", "data", "reason"), REFUSED)
def test_refused_with_the_reason(filename, data, reason):
    with pytest.raises(InventoryError) as caught:
        parse(filename, data)
    assert str(caught.value) == f"{filename}: {reason}"


def components(inventory) -> list[tuple]:
    return [(c.ecosystem, c.name, c.version, c.purl, c.scope) for c in inventory.components]


SKIPPED = [
    (
        "sbom.spdx.json",
        b'{"spdxVersion": "SPDX-2.3", "packages": ["a", {"SPDXID": "SPDXRef-x"}, {"name": "b", '
        b'"versionInfo": "1", "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", '
        b'"referenceType": "purl", '
        b'"referenceLocator": "pkg:"}]}]}',
        [(None, "b", "1", None, None)],
        (
            "packages[0] is not an object; skipped",
            "packages[1]: no name and no purl; skipped",
            "package 'b': invalid purl 'pkg:'"
            " (purl is missing the required type component: 'pkg:'.); ignored",
        ),
    ),
    (
        # a NuGet locator without a name gives no purl; the package keeps its name
        "sbom.spdx.json",
        b'{"spdxVersion": "SPDX-2.3", "packages": [{"name": "nj", "versionInfo": "13.0.1", '
        b'"externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "nuget", '
        b'"referenceLocator": "/13.0.1"}]}]}',
        [(None, "nj", "13.0.1", None, None)],
        (),
    ),
    (
        "bom.json",
        b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": {"name": "a"}}',
        [],
        ("'components' is not a list; ignored",),
    ),
    (
        "packages.lock.json",
        b'{"version": 1, "dependencies": {"net8.0": {"Newtonsoft.Json": {"type": "Direct", '
        b'"resolved": "13.0.1"}, "MyLib": {"type": "Project"}, "Broken": {"type": "Transitive"}}, '
        b'"net6.0": []}}',
        [("NuGet", "Newtonsoft.Json", "13.0.1", "pkg:nuget/Newtonsoft.Json@13.0.1", None)],
        ("net8.0: Broken has no resolved version; skipped", "net6.0: not an object; skipped"),
    ),
    (
        "composer.lock",
        b'{"packages": [{"name": "monolog/monolog", "version": "3.5.0"}, {"name": "psr/log"}]}',
        [("Packagist", "monolog/monolog", "3.5.0", "pkg:composer/monolog/monolog@3.5.0", None)],
        ("packages: an entry without name or version; skipped",),
    ),
    (
        # an empty name builds no purl: the component is kept without one
        "composer.lock",
        b'{"packages": [{"name": "", "version": "1.0.0"}]}',
        [("Packagist", "", "1.0.0", None, None)],
        (),
    ),
    (
        "Cargo.lock",
        b'version = 3\n[[package]]\nname = "serde"\nversion = "1.0.0"\n'
        b'source = "registry+https://github.com/rust-lang/crates.io-index"\n'
        b'[[package]]\nname = "broken"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n',
        [("crates.io", "serde", "1.0.0", "pkg:cargo/serde@1.0.0", None)],
        ("a [[package]] without name or version ('broken'); skipped",),
    ),
    (
        "package-lock.json",
        b'{"lockfileVersion": 1, "dependencies": {"lodash": {"version": "4.17.21"}, "broken": "4.0.0"}}',
        [("npm", "lodash", "4.17.21", "pkg:npm/lodash@4.17.21", None)],
        (),
    ),
    (
        "yarn.lock",
        b'lodash@^4.17.0:\n  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz"\n\n'
        b'left-pad@^1.3.0:\n  version "1.3.0"\n',
        [("npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", None)],
        ("line 1: lodash@^4.17.0: no version; skipped",),
    ),
    (
        "pnpm-lock.yaml",
        b"lockfileVersion: '6.0'\n\npackages:\n\n  github.com/x:\n    resolution: {tarball: x}\n\n"
        b"  /left-pad@1.3.0:\n    dev: false\n",
        [("npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", None)],
        ("github.com/x: no registry name and version; skipped",),
    ),
    (
        # lines deeper than an importer's dependency fields are dropped before parsing (this one is not YAML)
        "pnpm-lock.yaml",
        b"lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      left-pad:\n"
        b"        specifier: ^1.3.0\n        version: 1.3.0\n          deep: x\n\npackages:\n\n"
        b"  left-pad@1.3.0:\n    resolution: {integrity: sha512-x}\n\nsnapshots:\n\n  left-pad@1.3.0: {}\n",
        [("npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", None)],
        (),
    ),
    (
        # importers that are not a map lead nowhere: nothing is dev-only
        "pnpm-lock.yaml",
        b"lockfileVersion: '9.0'\nimporters: []\npackages:\n  left-pad@1.3.0:\n"
        b"    resolution: {integrity: sha512-x}\nsnapshots:\n  left-pad@1.3.0: {}\n",
        [("npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", None)],
        (),
    ),
    (
        "poetry.lock",
        b'[[package]]\nversion = "1.0"\n[[package]]\nname = "django"\n[[package]]\nname = "mylib"\n'
        b'version = "0.1"\n[package.source]\ntype = "directory"\nurl = "../mylib"\n'
        b'[[package]]\nname = "requests"\nversion = "2.31.0"\n',
        [("PyPI", "requests", "2.31.0", "pkg:pypi/requests@2.31.0", None)],
        ("a [[package]] without a name; skipped", "django: no version; skipped"),
    ),
    (
        "pdm.lock",
        b'[[package]]\nname = "mylib"\nversion = "0.1"\npath = "../mylib"\n'
        b'[[package]]\nname = "requests"\nversion = "2.31.0"\ngroups = ["default"]\n',
        [("PyPI", "requests", "2.31.0", "pkg:pypi/requests@2.31.0", None)],
        (),
    ),
    (
        # the member needs six 1.0.0 (the version named) and its dev group six 1.16.0; "junk" is no reference
        "uv.lock",
        b'version = 1\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n'
        b'dependencies = [{ name = "six", version = "1.0.0" }, "junk"]\n'
        b'[package.dev-dependencies]\ndev = [{ name = "six", version = "1.16.0" }]\n'
        b'[[package]]\nname = "six"\nversion = "1.16.0"\nsource = { registry = "https://pypi.org/simple" }\n'
        b'[[package]]\nname = "six"\nversion = "1.0.0"\nsource = { registry = "https://pypi.org/simple" }\n',
        [
            ("PyPI", "six", "1.16.0", "pkg:pypi/six@1.16.0", "dev"),
            ("PyPI", "six", "1.0.0", "pkg:pypi/six@1.0.0", None),
        ],
        (),
    ),
    (
        "requirements.txt",
        b"requests==2.31.0\ngit+https://github.com/psf/requests@v2.31.0#egg=requests\n",
        [("PyPI", "requests", "2.31.0", "pkg:pypi/requests@2.31.0", None)],
        (
            "line 2: 'git+https://github.com/psf/requests@v2.31.0#egg=requests' is a file or URL, "
            "not a pinned requirement; skipped",
        ),
    ),
]


@pytest.mark.parametrize(("filename", "data", "expected", "warnings"), SKIPPED)
def test_read_with_what_was_skipped(filename, data, expected, warnings):
    inventory = parse(filename, data)
    assert components(inventory) == expected
    assert inventory.warnings == warnings


def test_spdx_package_manager_locators_become_purls():
    refs = [
        ("kafka", "maven-central", "org.apache.kafka:kafka-clients:3.7.0"),
        ("node-types", "npm", "@types/node@20.1.0"),
        ("nj", "nuget", "Newtonsoft.Json/13.0.1"),
    ]
    packages = ",".join(
        f'{{"name": "{name}", "externalRefs": [{{"referenceCategory": "PACKAGE_MANAGER", '
        f'"referenceType": "{kind}", "referenceLocator": "{locator}"}}]}}'
        for name, kind, locator in refs
    )
    inventory = parse("sbom.spdx.json", f'{{"spdxVersion": "SPDX-2.3", "packages": [{packages}]}}'.encode())
    assert components(inventory) == [
        (
            "Maven",
            "org.apache.kafka:kafka-clients",
            "3.7.0",
            "pkg:maven/org.apache.kafka/kafka-clients@3.7.0",
            None,
        ),
        ("npm", "@types/node", "20.1.0", "pkg:npm/%40types/node@20.1.0", None),
        ("NuGet", "Newtonsoft.Json", "13.0.1", "pkg:nuget/Newtonsoft.Json@13.0.1", None),
    ]


def test_a_pom_under_another_name_is_recognised_by_its_root_element():
    inventory = parse("project.xml", POM)
    assert inventory.format == "pom.xml"
    assert components(inventory) == [
        ("Maven", "junit:junit", "4.13.2", "pkg:maven/junit/junit@4.13.2", "dev")
    ]


def test_a_lazy_array_knows_its_length_without_decoding():
    document = load_json_text_lazily(
        "bom.json", '{"components": [{"name": "a"}, {"name": "b"}], "x": 1}', "components"
    )
    assert isinstance(document["components"], LazyArray)
    assert len(document["components"]) == 2
    assert list(document["components"]) == [{"name": "a"}, {"name": "b"}]
    assert document["x"] == 1
