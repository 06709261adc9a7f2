"""RubyGems: Gemfile.lock (and gems.locked, its newer name)."""

from __future__ import annotations

import re

from ossdesk.domain.inventory._model import Inventory, InventoryBuilder, inventory_error, package

# "    name (1.2.3)" or "    name (1.13.3-x86_64-linux)": four spaces of indent are specs, six are their deps.
_SPEC = re.compile(r"^    ([^\s(]+) \(([^)]+)\)$")
_PLATFORM = re.compile(
    r"-(x86|x64|i[3-6]86|amd64|arm|aarch64|universal|java|jruby|mswin|mingw|darwin|linux|freebsd"
    r"|openbsd|netbsd|solaris|cygwin|ppc|s390|wasm|riscv)"
)
# GEM holds registry gems and GIT gems built from a repository (both have a gem version); PATH gems are local
# directories, the project's own code.
_GEM_SECTIONS = {"GEM", "GIT"}
_BUNDLER_SECTIONS = {"GEM", "GIT", "PATH", "PLUGIN SOURCE", "PLATFORMS", "DEPENDENCIES", "BUNDLED WITH"}


def read_gemfile_lock(filename: str, content: str) -> Inventory:
    """Read the ``specs:`` of the GEM and GIT sections."""
    builder = InventoryBuilder(filename, "Gemfile.lock")
    section: str | None = None
    seen_bundler_section = False
    for line in content.splitlines():
        if line and not line[0].isspace():
            section = line.strip()
            seen_bundler_section = seen_bundler_section or section in _BUNDLER_SECTIONS
            continue
        if section not in _GEM_SECTIONS:
            continue
        match = _SPEC.match(line.rstrip())
        if match is None:
            continue
        name, version = match.groups()
        platform = _PLATFORM.search(version)
        builder.add(package("RubyGems", name, version[: platform.start()] if platform else version))
    if content.strip() and not seen_bundler_section:
        raise inventory_error(filename, "not a Gemfile.lock: no GEM, GIT, PATH or DEPENDENCIES section")
    return builder.build()
