"""`ossdesk mail ...`: parsed here, run by the channels app."""

from __future__ import annotations

import argparse

from ossdesk.cli.common import CommandError
from ossdesk.config.bootstrap import django_setup


def cmd_mail(args: argparse.Namespace) -> int:
    django_setup()
    from ossdesk.channels.commands import run_mail

    return run_mail(args, CommandError)
