"""``groundswell demo``: build the Northwind Outfitters demo company, print logins, then serve it."""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.core.management.commands.serve import unapplied_migrations
from groundswell.demo.data import MIN_EMPLOYEES


class Command(BaseCommand):
    help = "Create (or rebuild) the Northwind Outfitters demo workspace with 90 days of activity, then serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Build the demo and exit.")
        parser.add_argument("--seed", type=int, default=7, help="Random seed (default 7).")
        parser.add_argument("--employees", type=int, default=220, help="Number of people (default 220).")
        parser.add_argument("--days", type=int, default=90, help="Days of history (default 90).")
        # The same defaults as `groundswell serve`, so the address printed is the one it serves.
        parser.add_argument("--host", default=os.environ.get("GROUNDSWELL_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GROUNDSWELL_PORT", "8000")))
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Allow the demo (with its published passwords) when DEBUG is off.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["not_production"]:
            raise CommandError(
                "The demo creates accounts with a published password. Run it with DEBUG=1 "
                "(as `make demo` does) or pass --i-know-this-is-not-production."
            )
        if options["employees"] < MIN_EMPLOYEES:
            raise CommandError(f"--employees must be at least {MIN_EMPLOYEES}")
        started = time.monotonic()
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        if unapplied_migrations():
            self.stdout.write("Applying database migrations…")
            call_command("migrate", interactive=False, verbosity=0)
        from groundswell.demo.generator import build_demo

        self.stdout.write(f"Building the demo company ({options['employees']} people, {options['days']} days)…")
        with _captured_logs() as records:
            result = build_demo(
                seed=options["seed"],
                employees=options["employees"],
                days=options["days"],
                log=lambda message: self.stdout.write(message),
            )
        total = time.monotonic() - started
        address = f"http://{options['host']}:{options['port']}/"
        width = max(len(login.email) for login in result.logins)
        lines = [
            "",
            self.style.SUCCESS(f"{result.workspace.name} is ready (built in {total:.1f}s)."),
            "",
        ]
        if options["no_serve"]:
            lines += [
                "  Serve it with:",
                "",
                f"    {serve_command(options['host'], options['port'])}",
                "",
                f"  then open {address} and sign in as:",
                "",
            ]
        else:
            lines += [f"  Open {address} and sign in as:", ""]
        for login in result.logins:
            lines.append(f"    {login.role:<16} {login.email:<{width}}  password: {login.password}")
        lines += ["", "  Every demo account uses the same password. Demo data only: never use it in production.", ""]
        problems = [r for r in records if r.levelno >= logging.WARNING]
        if problems:
            lines += [f"  The build logged {len(problems)} warning(s):"]
            lines += [f"    {r.levelname} {r.name}: {r.getMessage()}" for r in problems[:5]]
            lines += [""]
        self.stdout.write("\n".join(lines))
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])


def serve_command(host: str, port: int) -> str:
    """The command that serves this demo: the same program and data directory (DATABASE_URL, when set, is already in the
    environment), DEBUG on (the demo's
    passwords are public, so production settings refuse it)."""
    program = sys.argv[0] if Path(sys.argv[0]).name == "groundswell" else "groundswell"
    env = []
    if settings.DEBUG:
        env.append("DEBUG=1")
    env.append(f"GROUNDSWELL_DATA_DIR={settings.DATA_DIR}")
    args = [program, "serve"]
    if host != "127.0.0.1":
        args += ["--host", host]
    if port != 8000:
        args += ["--port", str(port)]
    return " ".join([*(shlex.quote(e) for e in env), shlex.join(args)])


@contextlib.contextmanager
def _captured_logs() -> Iterator[list[logging.LogRecord]]:
    """Keep the log lines of the build (the product's actions log what they do) out of the summary: the root
    handlers are set aside while it runs and the records collected; the warnings are listed after it."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    root = logging.getLogger()
    saved = root.handlers[:]
    collector = Collect(level=logging.INFO)
    root.handlers = [collector]
    try:
        yield records
    finally:
        root.handlers = saved
