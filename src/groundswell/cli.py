"""The ``groundswell`` command: every Django management command, plus demo, serve and worker."""

from __future__ import annotations

import os
import sys
from pathlib import Path

OVERVIEW = """\
Groundswell: self-hosted employee advocacy.

Everyday commands:
  groundswell demo [--no-serve]      build the Northwind Outfitters demo company, then serve it
  groundswell serve [--port 8000]    run the web server (uvicorn) and a background worker
  groundswell worker                 run background tasks and periodic jobs (more workers: run more)
  groundswell migrate                create or update the database tables
  groundswell createsuperuser        create a Django admin account
  groundswell check --deploy         check a production configuration

Every Django management command works too; `groundswell help <command>` explains one.
"""


def _ensure_sqlite_dir() -> None:
    """Create the directory of an embedded SQLite database so a fresh install just works."""
    try:
        from django.conf import settings

        db = settings.DATABASES["default"]
    except Exception:  # settings errors are reported by Django itself, with a clear message
        return
    if db.get("ENGINE") == "django.db.backends.sqlite3" and str(db.get("NAME", "")) not in ("", ":memory:"):
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.settings")
    from django.core.management import execute_from_command_line

    args = list(argv if argv is not None else sys.argv)
    if args:
        args[0] = "groundswell"
    else:
        args = ["groundswell"]
    if len(args) == 1 or (len(args) == 2 and args[1] in ("-h", "--help", "help")):
        sys.stdout.write(OVERVIEW + "\n")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - read the settings now, so a configuration error is said plainly
    except ImproperlyConfigured as exc:
        sys.stderr.write(
            f"groundswell: {exc}\n"
            "Production settings are on because DEBUG is not set. Set the environment the README lists "
            "(SECRET_KEY, GROUNDSWELL_ENCRYPTION_KEYS, SITE_URL, ...), or DEBUG=1 to try it on this machine.\n"
        )
        return 2
    _ensure_sqlite_dir()
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
