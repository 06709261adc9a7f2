"""Synthetic SBOMs for tests and benchmarks: :func:`generate_cyclonedx`.

The package names are real ones (popular packages of each ecosystem, many with OSV advisories), so a
generated SBOM exercises matching the way a real one would; the versions are random but plausible.
"""

from __future__ import annotations

import json
import random
import uuid

from ossdesk.domain.purl import purl_for

_PYPI = (
    "django", "requests", "urllib3", "jinja2", "flask", "pillow", "numpy", "pyyaml", "cryptography",
    "werkzeug", "sqlalchemy", "paramiko", "lxml", "aiohttp", "tornado", "twisted", "setuptools", "certifi",
    "idna", "pygments", "babel", "markdown", "bleach", "celery", "redis", "pandas", "scipy", "tensorflow",
    "ansible", "salt", "mistune", "pyjwt", "httpx", "starlette", "fastapi", "gunicorn", "waitress",
    "python-multipart", "black", "ujson",
)  # fmt: skip
_NPM = (
    "lodash", "express", "minimist", "axios", "moment", "jquery", "handlebars", "node-fetch", "ws", "qs",
    "semver", "underscore", "marked", "yargs-parser", "debug", "ejs", "tar", "glob-parent", "trim-newlines",
    "path-parse", "ansi-regex", "json5", "minimatch", "follow-redirects", "shell-quote", "async",
    "serialize-javascript", "socket.io-parser", "xml2js", "browserify-sign", "@babel/traverse",
    "@babel/core", "@angular/core", "@angular/common", "@nestjs/core", "@sentry/browser", "@vue/compiler-sfc",
    "@xmldom/xmldom", "@grpc/grpc-js", "@octokit/request",
)  # fmt: skip
_MAVEN = (
    "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-api",
    "com.fasterxml.jackson.core:jackson-databind", "com.fasterxml.jackson.core:jackson-core",
    "org.springframework:spring-core", "org.springframework:spring-web", "org.springframework:spring-webmvc",
    "org.springframework.boot:spring-boot", "org.springframework.security:spring-security-core",
    "org.apache.commons:commons-text", "commons-collections:commons-collections", "commons-io:commons-io",
    "org.apache.commons:commons-compress", "com.google.guava:guava", "com.google.protobuf:protobuf-java",
    "io.netty:netty-codec-http", "io.netty:netty-handler", "org.yaml:snakeyaml", "com.h2database:h2",
    "org.apache.tomcat.embed:tomcat-embed-core", "org.eclipse.jetty:jetty-server",
    "ch.qos.logback:logback-core",
    "org.postgresql:postgresql", "mysql:mysql-connector-java", "org.apache.struts:struts2-core",
    "com.thoughtworks.xstream:xstream", "org.bouncycastle:bcprov-jdk15on", "io.undertow:undertow-core",
    "org.keycloak:keycloak-core", "org.apache.httpcomponents:httpclient",
)  # fmt: skip
_GO = (
    "golang.org/x/net", "golang.org/x/crypto", "golang.org/x/text", "golang.org/x/sys", "golang.org/x/image",
    "github.com/gin-gonic/gin", "github.com/gorilla/websocket", "github.com/dgrijalva/jwt-go",
    "github.com/golang-jwt/jwt/v4", "github.com/docker/docker", "github.com/opencontainers/runc",
    "github.com/containerd/containerd", "github.com/hashicorp/vault", "github.com/hashicorp/consul",
    "github.com/prometheus/client_golang", "google.golang.org/grpc", "google.golang.org/protobuf",
    "github.com/miekg/dns", "github.com/tidwall/gjson", "github.com/labstack/echo/v4",
    "github.com/gofiber/fiber/v2",
    "k8s.io/kubernetes", "k8s.io/apimachinery", "github.com/argoproj/argo-cd/v2",
    "github.com/go-git/go-git/v5",
    "gopkg.in/yaml.v2", "gopkg.in/yaml.v3", "github.com/sirupsen/logrus", "github.com/spf13/cobra",
    "github.com/aws/aws-sdk-go",
)  # fmt: skip
_CRATES = (
    "serde", "tokio", "hyper", "openssl", "regex", "time", "chrono", "smallvec", "rand", "crossbeam-channel",
    "h2", "rustls", "ring", "libc", "nix", "tar", "zip", "sqlx", "diesel", "actix-web", "axum", "reqwest",
    "url", "base64", "bytes", "once_cell", "lazy_static", "memoffset", "tokio-rustls", "git2",
)  # fmt: skip
_ECOSYSTEMS = (("pypi", _PYPI), ("npm", _NPM), ("maven", _MAVEN), ("golang", _GO), ("cargo", _CRATES))


def _version(rng: random.Random, purl_type: str) -> str:
    major, minor, patch = rng.randint(0, 12), rng.randint(0, 40), rng.randint(0, 30)
    if purl_type == "golang":
        return f"v{major}.{minor}.{patch}"
    if purl_type == "maven" and rng.random() < 0.2:
        return f"{major}.{minor}.{patch}.Final"
    return f"{major}.{minor}.{patch}"


_ECOSYSTEM_OF = {"pypi": "PyPI", "npm": "npm", "maven": "Maven", "golang": "Go", "cargo": "crates.io"}


def _purl(purl_type: str, name: str, version: str) -> str:
    return purl_for(_ECOSYSTEM_OF[purl_type], name, version)


def generate_cyclonedx(count: int, seed: int = 0) -> bytes:
    """A CycloneDX 1.5 JSON SBOM with ``count`` distinct components (same seed, same bytes).

    Components spread evenly over PyPI, npm, Maven, Go and crates.io; every 25th component carries the
    next two as nested ``components`` (as an assembly would), which still count toward ``count``.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    seen: set[tuple[str, str, str]] = set()
    flat: list[dict[str, object]] = []
    while len(flat) < count:
        purl_type, names = _ECOSYSTEMS[len(flat) % len(_ECOSYSTEMS)]
        name = rng.choice(names)
        version = _version(rng, purl_type)
        if (purl_type, name, version) in seen:
            continue
        seen.add((purl_type, name, version))
        purl = _purl(purl_type, name, version)
        component: dict[str, object] = {"type": "library", "bom-ref": purl, "purl": purl, "version": version}
        if purl_type == "maven":
            component["group"], component["name"] = name.split(":", 1)
        else:
            component["name"] = name
        flat.append(component)

    top: list[dict[str, object]] = []
    index = 0
    while index < len(flat):
        parent = flat[index]
        if index % 25 == 0 and index + 2 < len(flat):
            parent["components"] = flat[index + 1 : index + 3]
            index += 3
        else:
            index += 1
        top.append(parent)

    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "generated", "version": "1.0.0"}},
        "components": top,
    }
    return json.dumps(document, indent=1).encode()
