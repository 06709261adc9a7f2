"""IMAP fetching against a real Dovecot started by the tests (its own config, passwd-file user, maildir
in a temp dir, self-signed certificate, free localhost ports), and OAuth 2.0: XOAUTH2 strings, token
refresh against a local token endpoint, and XOAUTH2 sign-in to Dovecot, whose oauth2 passdb asks the
same local endpoint (RFC 7662 introspection) whether a token is valid.

Without /usr/sbin/dovecot the Dovecot tests are skipped, or fail when OSSDESK_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.db import DatabaseError
from django.utils import timezone
from imap_tools import MailBox

from ossdesk.audit.models import AuditEntry
from ossdesk.channels import imap, intake, mailboxes
from ossdesk.channels.models import InboundMessage, Mailbox
from ossdesk.channels.tasks import inbound_mail_task
from ossdesk.tickets.models import Ticket
from tests.channels.factories import Helpdesk, eml
from tests.conftest import REQUIRE_SERVICES

DOVECOT = Path("/usr/sbin/dovecot")
USER, PASSWORD = "support@mail.test", "imap-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- a local OAuth 2.0 token endpoint (and introspection for Dovecot) -------------------------------


@dataclass
class TokenServer:
    url: str
    valid: set[str] = field(default_factory=set)
    requests: list[dict[str, str]] = field(default_factory=list)
    refuse: bool = False
    issued: int = 0


@pytest.fixture(scope="module")
def token_server() -> Iterator[TokenServer]:
    state = TokenServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path == "/token":
                state.requests.append(form)
                if state.refuse or form.get("refresh_token") != "refresh-1":
                    self._answer(
                        400, {"error": "invalid_grant", "error_description": "refresh token revoked"}
                    )
                    return
                state.issued += 1
                token = f"access-{state.issued}"
                state.valid.add(token)
                self._answer(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
            else:  # /introspect, asked by Dovecot's oauth2 passdb
                token = form.get("token", "")
                active = token in state.valid
                self._answer(200, {"active": active, "username": USER} if active else {"active": False})

        def _answer(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()


# -- a real Dovecot --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dovecot:
    imaps_port: int
    imap_port: int
    cert: Path
    log: Path


def _accounts() -> tuple[str, str, int, int]:
    """Login and internal users, and the uid/gid mail is stored as: Dovecot refuses root for these."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid
    owner = pwd.getpwnam("dovecot")  # created by Debian's dovecot-core, as is dovenull
    return "dovenull", "dovecot", owner.pw_uid, owner.pw_gid


@pytest.fixture(scope="module")
def dovecot(token_server: TokenServer) -> Iterator[Dovecot]:
    if not DOVECOT.exists() or shutil.which("openssl") is None:
        if REQUIRE_SERVICES:
            pytest.fail(
                "OSSDESK_REQUIRE_SERVICES=1 but /usr/sbin/dovecot (dovecot-imapd) or openssl is missing"
            )
        pytest.skip("IMAP tests need Dovecot (apt-get install dovecot-imapd) and openssl")
    base = Path(tempfile.mkdtemp(prefix="ossdesk-dovecot-"))
    base.chmod(0o755)  # the unprivileged login processes reach their sockets through it
    login_user, internal_user, uid, gid = _accounts()
    cert, key = base / "cert.pem", base / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    (base / "oauth2.conf.ext").write_text(
        f"introspection_mode = post\nintrospection_url = {token_server.url}/introspect\n"
        "force_introspection = yes\nusername_attribute = username\n"
        "active_attribute = active\nactive_value = true\n"
    )
    home = base / "home"
    home.mkdir()
    os.chown(home, uid, gid)
    imaps_port, imap_port = _free_port(), _free_port()
    config = base / "dovecot.conf"
    config.write_text(f"""
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 0
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0
mail_location = maildir:{home}/%n/Maildir
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {base}/oauth2.conf.ext
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/%n
}}
service imap-login {{
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
    ssl = yes
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
""")
    process = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", imaps_port)) == 0:
                break
        if process.poll() is not None:
            break
        time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("Dovecot did not start listening within 15 s")
    if process.poll() is not None:
        pytest.fail(f"Dovecot stopped at start: {process.stderr.read().decode() if process.stderr else ''}")
    yield Dovecot(imaps_port=imaps_port, imap_port=imap_port, cert=cert, log=base / "dovecot.log")
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(base, ignore_errors=True)


pytestmark = pytest.mark.django_db(transaction=True)  # storing must really commit before the server is told


@pytest.fixture
def server(dovecot: Dovecot, settings: Any) -> Dovecot:
    settings.OSSDESK_MAIL_CA_FILE = str(dovecot.cert)  # trust the test certificate, and only it
    return dovecot


def _folder(request: Any) -> str:
    return f"t-{request.node.name[:20]}-{uuid.uuid4().hex[:8]}".replace("[", "-").replace("]", "")


def _open(server: Dovecot) -> MailBox:
    return MailBox(
        "127.0.0.1", server.imaps_port, ssl_context=ssl.create_default_context(cafile=str(server.cert))
    ).login(USER, PASSWORD, initial_folder=None)


def _deliver(server: Dovecot, folder: str, *messages: bytes) -> None:
    with _open(server) as box:
        if not box.folder.exists(folder):
            box.folder.create(folder)
        for raw in messages:
            box.append(raw, folder)


def _state(server: Dovecot, folder: str) -> tuple[int, int]:
    """(messages in the folder, how many are unseen)."""
    with _open(server) as box:
        box.folder.set(folder)
        return len(box.uids("ALL")), len(box.uids("UNSEEN"))


def _mailbox(helpdesk: Helpdesk, server: Dovecot, folder: str, **fields: Any) -> Mailbox:
    values: dict[str, Any] = {
        "name": "imap-" + folder[-30:].strip("-_").lower(),
        "product": helpdesk.product,
        "imap_host": "127.0.0.1",
        "imap_port": server.imaps_port,
        "imap_security": Mailbox.Security.SSL,
        "imap_username": USER,
        "imap_password": PASSWORD,
        "folder": folder,
        **fields,
    }
    return Mailbox.objects.create(**values)


def test_fetch_over_imaps_stores_processes_and_marks_read(
    helpdesk: Helpdesk, server: Dovecot, request: Any
) -> None:
    folder = _folder(request)
    _deliver(server, folder, eml("plain.eml"), eml("alternative.eml"))
    mailbox = _mailbox(helpdesk, server, folder)
    assert mailboxes.mailbox_fetch(mailbox=mailbox) == 2
    rows = InboundMessage.objects.order_by("pk")
    assert [r.source for r in rows] == [f"imap:{mailbox.name}"] * 2
    assert {r.status for r in rows} == {InboundMessage.Status.PROCESSED}
    assert Ticket.objects.count() == 2
    assert _state(server, folder) == (2, 0)  # kept, marked \Seen
    assert mailboxes.mailbox_fetch(mailbox=mailbox) == 0
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None
    assert mailbox.last_error == ""


def test_clocks_start_at_the_servers_internaldate(helpdesk: Helpdesk, server: Dovecot, request: Any) -> None:
    folder = _folder(request)
    arrived = timezone.now().replace(microsecond=0) - timedelta(minutes=20)  # before the poll saw it
    with _open(server) as box:
        box.folder.create(folder)
        box.append(eml("plain.eml"), folder, dt=arrived)
    mailboxes.mailbox_fetch(mailbox=_mailbox(helpdesk, server, folder))
    row = InboundMessage.objects.get()
    assert row.received_at == arrived
    assert row.ticket is not None
    assert row.ticket.opened_at == arrived


@pytest.mark.parametrize(
    ("response", "instant"),
    [
        (b'1 (UID 7 INTERNALDATE "06-Dec-2026 02:00:09 +0000" BODY[] {12}', "2026-12-06T02:00:09+00:00"),
        (b' INTERNALDATE " 6-Dec-2026 03:30:00 +0130")', "2026-12-06T02:00:00+00:00"),
        (b'2 (INTERNALDATE "31-Jan-2026 23:59:59 -0500" UID 9', "2026-02-01T04:59:59+00:00"),
        (b"1 (UID 7 BODY[] {12}", None),
        (b'1 (INTERNALDATE "31-Foo-2026 23:59:59 -0500"', None),
    ],
)
def test_internaldate_is_read_in_utc(response: bytes, instant: str | None) -> None:
    found = imap.internal_date(response)
    assert (found.isoformat() if found else None) == instant


def test_starttls_and_moving_to_a_processed_folder(helpdesk: Helpdesk, server: Dovecot, request: Any) -> None:
    folder = _folder(request)
    done = folder + "-done"
    copy = eml("plain.eml")
    _deliver(server, folder, copy, copy)  # the same mail twice (a redelivery): one row, both moved
    mailbox = _mailbox(
        helpdesk,
        server,
        folder,
        imap_port=server.imap_port,
        imap_security=Mailbox.Security.STARTTLS,
        processed_folder=done,
    )
    assert mailboxes.mailbox_fetch(mailbox=mailbox) == 2
    assert InboundMessage.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert _state(server, folder) == (0, 0)
    assert _state(server, done) == (2, 2)


@pytest.mark.parametrize("processed_folder", ["", "done"])
def test_nothing_is_flagged_or_moved_before_the_database_committed(
    helpdesk: Helpdesk, server: Dovecot, request: Any, monkeypatch: Any, processed_folder: str
) -> None:
    folder = _folder(request)
    _deliver(server, folder, eml("plain.eml"))
    mailbox = _mailbox(helpdesk, server, folder, processed_folder=processed_folder and folder + "-done")

    def failing_write(**kwargs: Any) -> Any:  # the row is written, then its transaction fails
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(intake, "audit_record", failing_write)
    with pytest.raises(DatabaseError):
        mailboxes.mailbox_fetch(mailbox=mailbox)
    assert not InboundMessage.objects.exists()
    assert _state(server, folder) == (1, 1)  # still there, still unseen
    mailbox.refresh_from_db()
    assert "disk I/O error" in mailbox.last_error  # visible to staff
    monkeypatch.undo()
    assert mailboxes.mailbox_fetch(mailbox=mailbox) == 1
    assert _state(server, folder) == ((1, 0) if not processed_folder else (0, 0))
    assert InboundMessage.objects.get().status == InboundMessage.Status.PROCESSED


def test_a_wrong_password_is_reported_on_the_mailbox(
    helpdesk: Helpdesk, server: Dovecot, request: Any
) -> None:
    mailbox = _mailbox(helpdesk, server, _folder(request), imap_password="wrong")
    with pytest.raises(imap.ImapError, match="refused the sign-in"):
        mailboxes.mailbox_fetch(mailbox=mailbox)
    mailbox.refresh_from_db()
    assert "refused the sign-in" in mailbox.last_error


def test_the_periodic_task_polls_active_mailboxes(helpdesk: Helpdesk, server: Dovecot, request: Any) -> None:
    folder = _folder(request)
    _deliver(server, folder, eml("plain.eml"))
    mailbox = _mailbox(helpdesk, server, folder)
    _mailbox(helpdesk, server, folder + "-x", name="broken", imap_password="wrong")
    assert inbound_mail_task.call_local() == 1
    assert InboundMessage.objects.get().mailbox == mailbox
    assert Mailbox.objects.get(name="broken").last_error != ""
    assert inbound_mail_task.call_local() == 0  # not due again before its interval


def test_idle_fetches_as_mail_arrives(helpdesk: Helpdesk, server: Dovecot, request: Any) -> None:
    folder = _folder(request)
    _deliver(server, folder, eml("plain.eml"))
    mailbox = _mailbox(helpdesk, server, folder)
    stop = threading.Event()
    worker = threading.Thread(
        target=mailboxes.mailbox_idle,
        kwargs={"mailbox": mailbox, "stop": stop, "idle_seconds": 4},
        daemon=True,
    )
    worker.start()
    # Watch the server, not the database: SQLite's shared in-memory test database locks whole tables
    # across threads. A message is marked read only after it was stored and processed.
    try:
        _wait_for(lambda: _state(server, folder) == (1, 0))  # the first fetch, before IDLE
        time.sleep(0.5)  # let it enter IDLE
        started = time.monotonic()
        _deliver(server, folder, eml("alternative.eml"))
        _wait_for(lambda: _state(server, folder) == (2, 0))
        assert time.monotonic() - started < 3.5  # woken by the server, not by the 4 s timeout
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert InboundMessage.objects.filter(status=InboundMessage.Status.PROCESSED).count() == 2


def _wait_for(condition: Any, timeout: float = 8) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


# -- OAuth 2.0 -------------------------------------------------------------------------------------


def test_xoauth2_string_matches_googles_documented_example() -> None:
    token = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
    assert imap.xoauth2_string("someuser@example.com", token) == (
        f"user=someuser@example.com\x01auth=Bearer {token}\x01\x01"
    )
    assert imap.xoauth2_base64("someuser@example.com", token) == (
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
    )


def _oauth_mailbox(
    helpdesk: Helpdesk, server: Dovecot | None, token_server: TokenServer, folder: str
) -> Mailbox:
    return Mailbox.objects.create(
        name="oauth-" + folder[-20:].strip("-_").lower(),
        product=helpdesk.product,
        imap_host="127.0.0.1",
        imap_port=server.imaps_port if server else 993,
        imap_username=USER,
        imap_auth=Mailbox.Auth.XOAUTH2,
        folder=folder,
        oauth_token_url=f"{token_server.url}/token",
        oauth_client_id="ossdesk-client",
        oauth_client_secret="client-secret",
        oauth_refresh_token="refresh-1",
        oauth_scope="https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    )


def test_access_tokens_are_refreshed_cached_and_audited(
    helpdesk: Helpdesk, token_server: TokenServer, request: Any
) -> None:
    mailbox = _oauth_mailbox(helpdesk, None, token_server, _folder(request))
    before = len(token_server.requests)
    first = mailboxes.mailbox_access_token(mailbox=mailbox)
    assert first.startswith("access-")
    assert token_server.requests[-1] == {
        "grant_type": "refresh_token",
        "client_id": "ossdesk-client",
        "client_secret": "client-secret",
        "refresh_token": "refresh-1",
        "scope": "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    }
    assert mailboxes.mailbox_access_token(mailbox=mailbox) == first  # cached while valid
    later = timezone.now() + timedelta(minutes=59, seconds=30)  # within a minute of expiry: refreshed
    assert mailboxes.mailbox_access_token(mailbox=mailbox, now=later) != first
    assert len(token_server.requests) == before + 2
    entries = AuditEntry.objects.filter(object_type="channels.mailbox", object_id=str(mailbox.pk))
    assert entries.count() == 2
    assert all("access-" not in json.dumps(e.after) for e in entries)  # the secret is never logged
    token_server.refuse = True
    try:
        with pytest.raises(imap.TokenError, match=r"400.*invalid_grant"):
            mailboxes.mailbox_access_token(mailbox=mailbox, force=True)
    finally:
        token_server.refuse = False
    with pytest.raises(imap.TokenError, match="must be https"):
        imap.refresh_access_token(
            token_url="http://login.example/token", client_id="c", client_secret="", refresh_token="r"
        )


def test_xoauth2_sign_in_to_dovecot_refreshes_a_refused_token(
    helpdesk: Helpdesk, server: Dovecot, token_server: TokenServer, request: Any
) -> None:
    folder = _folder(request)
    _deliver(server, folder, eml("plain.eml"))
    mailbox = _oauth_mailbox(helpdesk, server, token_server, folder)
    # A cached token the server no longer accepts (revoked before its expiry).
    Mailbox.objects.filter(pk=mailbox.pk).update(
        oauth_access_token="revoked", oauth_expires_at=timezone.now() + timedelta(hours=1)
    )
    refreshes = len(token_server.requests)
    assert mailboxes.mailbox_fetch(mailbox=mailbox) == 1
    assert len(token_server.requests) == refreshes + 1
    mailbox.refresh_from_db()
    assert mailbox.oauth_access_token in token_server.valid
    assert InboundMessage.objects.get().status == InboundMessage.Status.PROCESSED
    assert "method=XOAUTH2" in server.log.read_text()


def test_one_poll_drains_a_backlog_larger_than_a_batch(
    helpdesk: Helpdesk, server: Dovecot, request: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imap, "FETCH_LIMIT", 2)  # batches of two: five messages take three batches
    folder = _folder(request)
    template = eml("plain.eml")
    messages = [
        template.replace(b"Message-ID: <", f"Message-ID: <backlog-{n}-".encode(), 1) for n in range(5)
    ]
    assert all(m != template for m in messages)
    _deliver(server, folder, *messages)
    mailbox = _mailbox(helpdesk, server, folder)
    assert mailboxes.mailbox_fetch(mailbox=mailbox) == 5
    assert _state(server, folder) == (5, 0)
    assert InboundMessage.objects.count() == 5
