"""Running ossdesk: the worker, serve (web server and worker under one supervisor) and run (what `make run`
does: migrate, seed, ensure an admin, serve)."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from typing import Any

from ossdesk import __version__
from ossdesk.cli.admin import cmd_createadmin, cmd_migrate, cmd_seed
from ossdesk.cli.common import CommandError
from ossdesk.config.bootstrap import django_setup


def cmd_worker(args: argparse.Namespace) -> int:
    django_setup()
    from django.conf import settings
    from django.core.management import call_command

    from ossdesk.web.tasks import record_heartbeat

    record_heartbeat()
    huey_settings: Any = settings.HUEY
    threads = args.workers or huey_settings["consumer"]["workers"]
    queue = "Redis" if settings.REDIS is not None else "SQLite"
    # Huey's own start-up lines are INFO, which it prints only at OSSDESK_LOG_LEVEL=DEBUG: say one here.
    print(f"ossdesk worker: {threads} threads on the {queue} queue", flush=True)
    call_command("run_huey", workers=args.workers) if args.workers else call_command("run_huey")
    return 0


def _children(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    from django.conf import settings

    host = args.host or settings.OSSDESK_HOST
    port = args.port or settings.OSSDESK_PORT
    children = []
    if not args.no_web:
        children.append(
            (
                "web",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "ossdesk.config.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(args.web_workers or settings.OSSDESK_WEB_WORKERS),
                    "--threads",
                    "4",
                    "--access-logfile",
                    "-",
                    "--graceful-timeout",
                    "10",
                    "--timeout",
                    "60",
                    "--no-control-socket",
                ],
            )
        )
    if not args.no_worker:
        children.append(("worker", [sys.executable, "-m", "ossdesk.cli", "worker"]))
    return children


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the web server and the worker as one foreground process tree; a child that dies is started
    again (ossdesk.web.supervisor); Ctrl-C stops both."""
    django_setup()
    from django.conf import settings

    children = _children(args)
    if not children:
        raise CommandError("serve: --no-web and --no-worker together leave nothing to run")
    host = args.host or settings.OSSDESK_HOST
    port = args.port or settings.OSSDESK_PORT
    if not args.no_web and not _port_free(host, port):
        raise CommandError(f"serve: {host}:{port} is already in use (set OSSDESK_PORT or --port)")
    from ossdesk.web.supervisor import Child, supervise

    supervised = [Child(name, command) for name, command in children]
    if not args.no_web:
        print(f"ossdesk {__version__} is serving http://{host}:{port}/  (Ctrl-C stops it)", flush=True)
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = supervise(supervised, lambda: stopping)
    processes = [child.process for child in supervised if child.process is not None]
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for child in supervised:
        child.stopped()
    print("ossdesk stopped.", flush=True)
    return exit_code


def _demo_live_s1() -> None:
    from ossdesk.tickets.demo import demo_live_s1

    ticket = demo_live_s1()
    if ticket is not None:
        print(f"Demo: #{ticket.pk}, a running S1 for {ticket.organization.name}, raised again for this start")


def cmd_run(args: argparse.Namespace) -> int:
    """Everything `make run` does after installing: migrate, seed, ensure an admin, serve."""
    cmd_migrate(argparse.Namespace(verbose=False))
    cmd_seed(argparse.Namespace(demo=not args.no_demo))
    if not args.no_demo:
        _demo_live_s1()
    cmd_createadmin(argparse.Namespace(username="admin", email="admin@localhost"))
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    return cmd_serve(args)


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default OSSDESK_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default OSSDESK_PORT or 8000)")
    parser.add_argument("--web-workers", type=int, help="web processes (default OSSDESK_WEB_WORKERS or 2)")
    parser.add_argument("--no-worker", action="store_true", help="serve the web only (workers run elsewhere)")
    parser.add_argument("--no-web", action="store_true", help="run the background worker only")
