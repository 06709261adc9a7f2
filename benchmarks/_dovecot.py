"""A throwaway Dovecot for benchmarks, set up the way tests/channels/test_imap.py does it: its own config,
passwd-file users, maildirs and a self-signed certificate in a temp dir, on free localhost ports.

`with running({"user@mail.test": "password"}) as server:` starts it and removes it afterwards;
`append()` loads messages into a user's INBOX, `inbox_count()` reads how many are left.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = Path("/usr/sbin/dovecot")


class DovecotUnavailable(RuntimeError):
    """Dovecot (or openssl) is missing, or did not start; the message says which."""


@dataclass(frozen=True)
class Server:
    host: str
    imaps_port: int
    imap_port: int
    cert: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accounts() -> tuple[str, str, int, int]:
    """Login and internal users, and the uid/gid mail is stored as: Dovecot refuses root for these."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid
    owner = pwd.getpwnam("dovecot")  # created by Debian's dovecot-core, as is dovenull
    return "dovenull", "dovecot", owner.pw_uid, owner.pw_gid


def _config(base: Path, home: Path, cert: Path, key: Path, imaps_port: int, imap_port: int) -> str:
    login_user, internal_user, uid, gid = _accounts()
    return f"""
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
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{home}/%n/Maildir
passdb {{
  driver = passwd-file
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
"""


@contextmanager
def running(users: dict[str, str]) -> Iterator[Server]:
    """Start a Dovecot with these users (address: password); stop it and remove its files after."""
    if not DOVECOT.exists() or shutil.which("openssl") is None:
        raise DovecotUnavailable("needs /usr/sbin/dovecot (apt-get install dovecot-imapd) and openssl")
    base = Path(tempfile.mkdtemp(prefix="ossdesk-bench-dovecot-"))
    base.chmod(0o755)  # the unprivileged login processes reach their sockets through it
    cert, key = base / "cert.pem", base / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    (base / "passwd").write_text(
        "".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in users.items())
    )
    home = base / "home"
    home.mkdir()
    _, _, uid, gid = _accounts()
    os.chown(home, uid, gid)
    imaps_port, imap_port = _free_port(), _free_port()
    config = base / "dovecot.conf"
    config.write_text(_config(base, home, cert, key, imaps_port, imap_port))
    process = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 15
        while process.poll() is None:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", imaps_port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise DovecotUnavailable("Dovecot did not start listening within 15 s")
            time.sleep(0.05)
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise DovecotUnavailable(f"Dovecot stopped at start: {error}")
        yield Server(
            host="127.0.0.1", imaps_port=imaps_port, imap_port=imap_port, cert=cert, log=base / "dovecot.log"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


def _open(server: Server, user: str, password: str) -> imaplib.IMAP4_SSL:
    context = ssl.create_default_context(cafile=str(server.cert))
    client = imaplib.IMAP4_SSL(server.host, server.imaps_port, ssl_context=context)
    client.login(user, password)
    return client


def append(server: Server, user: str, password: str, messages: Iterable[bytes], folder: str = "INBOX") -> int:
    """APPEND each message (unseen) to the user's folder, in order; returns how many."""
    client = _open(server, user, password)
    count = 0
    try:
        for raw in messages:
            status, data = client.append(folder, "", None, raw)
            if status != "OK":
                raise RuntimeError(f"APPEND to {user}/{folder} failed: {data!r}")
            count += 1
    finally:
        client.logout()
    return count


def inbox_count(server: Server, user: str, password: str, folder: str = "INBOX") -> tuple[int, int]:
    """(messages in the folder, how many of them are unseen)."""
    client = _open(server, user, password)
    try:
        status, data = client.select(folder, readonly=True)
        if status != "OK":
            raise RuntimeError(f"SELECT {user}/{folder} failed: {data!r}")
        total = int(data[0] or 0)
        _, unseen = client.search(None, "UNSEEN")
        return total, len(unseen[0].split()) if unseen and unseen[0] else 0
    finally:
        client.logout()
