"""The ``groundswell`` command: every Django management command, plus demo, serve and worker."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.settings")
    from django.core.management import execute_from_command_line

    args = list(argv if argv is not None else sys.argv)
    if args:
        args[0] = "groundswell"
    execute_from_command_line(args)
    return 0
