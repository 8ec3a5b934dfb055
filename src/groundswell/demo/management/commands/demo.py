"""``groundswell demo``: build the Northwind Outfitters demo company, print logins, then serve it."""

from __future__ import annotations

import time
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
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
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
            f"  Open {address} and sign in as:",
            "",
        ]
        for login in result.logins:
            lines.append(f"    {login.role:<16} {login.email:<{width}}  password: {login.password}")
        lines += ["", "  Every demo account uses the same password. Demo data only: never use it in production.", ""]
        self.stdout.write("\n".join(lines))
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])
