"""``groundswell vapid_keys``: print a fresh VAPID key pair for Web Push, as environment lines."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from groundswell.notify.push import new_key_pair


class Command(BaseCommand):
    help = "Print a new VAPID key pair (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY) for Web Push notifications."

    def handle(self, *args: Any, **options: Any) -> None:
        pair = new_key_pair()
        self.stdout.write(f"VAPID_PUBLIC_KEY={pair.public}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={pair.private}")
        self.stdout.write("VAPID_SUBJECT=mailto:you@example.com  # a contact the push services can reach")
        self.stderr.write(
            "Keep the private key secret and keep the pair: a new pair makes every device enable push again."
        )
