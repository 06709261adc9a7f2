"""The BSI/Secvisogram CSAF validator (npm ``@secvisogram/csaf-validator-lib``), as an oracle for the tests.

The library is pinned by ``package-lock.json`` beside this file and installed on first use with ``npm ci``
into ``node_modules/`` here (ignored by git); later runs find it installed and need no network, and npm's
own cache (``--prefer-offline``) serves a reinstall after the lock changes. ``validate.mjs`` (ours) runs the
library's strict schema test, mandatory tests and recommended tests; one node process serves the whole run.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "csaf"
NODE_MODULES = HERE / "node_modules"
# npm writes this copy of the lock on a complete install; it matching ours means nothing is left to do.
INSTALLED_LOCK = NODE_MODULES / ".package-lock.json"


class ValidatorUnavailable(RuntimeError):
    """node or npm is missing, or the install failed (no network and no cached packages)."""


def install() -> None:
    """Install the pinned validator unless it is already installed from the current lock."""
    if _installed():
        return
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        raise ValidatorUnavailable("node and npm are needed to run the CSAF validator")
    with (HERE / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs at once install once
        if _installed():
            return
        command = [npm, "ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"]
        done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            raise ValidatorUnavailable(f"npm ci failed in {HERE}: {done.stderr.strip()[-2000:]}")


def _installed() -> bool:
    if not INSTALLED_LOCK.is_file():
        return False
    ours = json.loads((HERE / "package-lock.json").read_text())["packages"]
    theirs = json.loads(INSTALLED_LOCK.read_text())["packages"]
    return all(
        theirs.get(path, {}).get("version") == entry["version"] for path, entry in ours.items() if path
    )


@dataclass
class CsafReport:
    """What the validator said of one document: per test name, its errors and warnings (messages)."""

    tests: dict[str, dict[str, list[dict[str, str]]]] = field(default_factory=dict)

    def errors(self) -> list[str]:
        """Errors of the schema and the mandatory tests: any one makes the document invalid."""
        return [
            f"{name}: {item['instancePath']}: {item['message']}"
            for name, result in self.tests.items()
            for item in result["errors"]
        ]

    def warnings(self, *sections: str) -> list[str]:
        """Warnings of the recommended tests, of the given sections (``"6.2.10"``) or of all."""
        wanted = {"optionalTest_" + s.replace(".", "_") for s in sections}
        return [
            f"{name}: {item['instancePath']}: {item['message']}"
            for name, result in self.tests.items()
            if not wanted or name in wanted
            for item in result["warnings"]
        ]


# scripts/run_tests.py starts one validator for the whole run (:func:`serve`) and names its socket here; each
# test process then connects to it instead of starting a node process (and compiling the schemas) of its own.
SOCKET_VARIABLE = "OSSDESK_CSAF_VALIDATOR_SOCKET"
# Bound now: a test that replaces socket.socket to prove the code under test opens none (test_csaf.py) must
# not take the harness's own connection for one.
_UnixSocket = socket.socket


# How long a test process waits for the run's validator to listen: it loads while the tests are collected.
SOCKET_WAIT = 120.0


def serve(socket_path: str) -> subprocess.Popen[str]:
    """``validate.mjs`` starting to listen on ``socket_path`` (not waited for: its seconds of loading overlap
    the test processes' start, and :class:`CsafValidator` waits for it); it stops when its stdin closes."""
    install()
    return subprocess.Popen(
        ["node", str(HERE / "validate.mjs"), "--socket", socket_path],
        cwd=HERE,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    )


def _connect(socket_path: str) -> socket.socket:
    deadline = time.monotonic() + SOCKET_WAIT
    while True:
        connection = _UnixSocket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(socket_path)
        except (FileNotFoundError, ConnectionRefusedError):
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        else:
            return connection


class CsafValidator:
    """A running ``validate.mjs``: :meth:`check` sends a document and reads the report. With
    ``OSSDESK_CSAF_VALIDATOR_SOCKET`` set, a connection to the run's one validator; otherwise a process."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self._socket: socket.socket | None = None
        socket_path = os.environ.get(SOCKET_VARIABLE, "")
        if socket_path:
            self._socket = _connect(socket_path)
            stream = self._socket.makefile("rw", encoding="utf-8", newline="\n")
            self._input, self._output = stream, stream
        else:
            install()
            self._process = subprocess.Popen(
                ["node", str(HERE / "validate.mjs")],
                cwd=HERE,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            assert self._process.stdin is not None
            assert self._process.stdout is not None
            self._input, self._output = self._process.stdin, self._process.stdout
        greeting = self._read()
        if "ready" not in greeting:
            raise ValidatorUnavailable(f"validate.mjs did not start: {greeting}")

    def check(self, document: dict[str, Any]) -> CsafReport:
        """The validator's report on ``document``."""
        self._input.write(json.dumps(document) + "\n")
        self._input.flush()
        return CsafReport(self._read())

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
        if self._process is not None:
            if self._process.stdin is not None:
                self._process.stdin.close()
            self._process.wait(timeout=30)

    def _read(self) -> dict[str, Any]:
        line = self._output.readline()
        if not line:
            stopped = f"exit {self._process.poll()}" if self._process is not None else "socket closed"
            raise ValidatorUnavailable(f"validate.mjs stopped ({stopped})")
        answer: dict[str, Any] = json.loads(line)
        return answer


class Collector:
    """Every CSAF document ``ossdesk.domain.csaf.to_csaf`` builds during a test run, checked after its test.

    Tests check the documents they look at; this catches the ones built on the way (a submit, a publish, a
    download) that no test looks at. Copies are kept as JSON text, since tests may break a document on purpose
    after it is built. Identical documents are checked once.
    """

    def __init__(self) -> None:
        self.documents: dict[str, str] = {}  # JSON text -> the test that built it first
        self.current_test = ""
        self._validator: CsafValidator | None = None

    def validator(self) -> CsafValidator:
        """The run's one validator process, started on first use (the ``csaf_validator`` fixture's too)."""
        if self._validator is None:
            self._validator = CsafValidator()
        return self._validator

    def close(self) -> None:
        if self._validator is not None:
            self._validator.close()
            self._validator = None

    def install(self) -> None:
        from ossdesk.domain import csaf

        original = csaf.to_csaf

        def recording(*args: Any, **kwargs: Any) -> dict[str, Any]:
            document = original(*args, **kwargs)
            self.documents.setdefault(json.dumps(document, sort_keys=True), self.current_test)
            return document

        csaf.to_csaf = recording  # type: ignore[assignment]

    def problems(self, *, start: int = 0) -> list[str]:
        """One line per invalid document from the ``start``-th on: the test that built it and the errors."""
        found = []
        for text, test in list(self.documents.items())[start:]:
            errors = self.validator().check(json.loads(text)).errors()
            if errors:
                found.append(f"{test}: {'; '.join(errors[:5])}")
        return found
