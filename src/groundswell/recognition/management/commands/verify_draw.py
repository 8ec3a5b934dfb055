"""Recompute a published contest draw from its seed and entries and say whether it matches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.recognition import draws
from groundswell.recognition.actions import run_draw
from groundswell.recognition.models import Draw


class Command(BaseCommand):
    help = "Recompute a contest's published draw and check it against the winners and the seed fingerprint."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contest_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        draw = Draw.objects.select_related("contest").filter(contest_id=options["contest_id"]).first()
        if draw is None:
            raise CommandError(f"Contest {options['contest_id']} has no published draw.")
        committed = draws.verify_commitment(draw.seed, draw.contest.seed_commitment)
        winners = run_draw(draw.method, draw.seed, list(draw.entries), draw.contest.prizes)
        self.stdout.write(f"seed matches the published fingerprint: {'yes' if committed else 'NO'}")
        self.stdout.write(f"recomputed winners: {', '.join(winners) or '(none)'}")
        self.stdout.write(f"published winners:  {', '.join(draw.winners) or '(none)'}")
        if not committed or winners != list(draw.winners):
            raise CommandError("The draw does NOT verify.")
        self.stdout.write(self.style.SUCCESS("The draw verifies."))
