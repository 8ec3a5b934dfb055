"""Re-encrypt every stored secret with the newest key of ``GROUNDSWELL_ENCRYPTION_KEYS``.

Add a new key in front of the list, restart, run this command, then drop the old key. ``--check`` only
counts the values not yet on the newest key (exit status 1 when there are any).

Values are read and written as raw column text with SQL: the model field would decrypt on read
(``from_db_value``) and encrypt again on write. Everything happens in one transaction, in batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

from groundswell.networks import crypto
from groundswell.networks.crypto import EncryptedTextField


@dataclass
class Counts:
    label: str
    rotated: int = 0
    current: int = 0
    empty: int = 0


def encrypted_columns() -> list[tuple[type[models.Model], models.Field[Any, Any]]]:
    found: list[tuple[type[models.Model], models.Field[Any, Any]]] = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field))
    return found


class Command(BaseCommand):
    help = "Re-encrypt stored secrets (connected-account tokens, Mastodon app secrets) with the newest key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Only count values not yet on the newest key.")
        parser.add_argument("--batch-size", type=int, default=500, help="Rows read and written at a time.")

    def handle(self, *args: Any, check: bool = False, batch_size: int = 500, **options: Any) -> None:
        keys = list(getattr(settings, "ENCRYPTION_KEYS", []))
        if not keys:
            raise CommandError("GROUNDSWELL_ENCRYPTION_KEYS is not set: there is no key to rotate to.")
        crypto.reset_keys()
        try:
            newest = Fernet(keys[0].encode())
        except ValueError as exc:
            raise CommandError(
                f"The newest key in GROUNDSWELL_ENCRYPTION_KEYS is not a valid Fernet key: {exc}"
            ) from exc
        batch_size = max(1, batch_size)
        results: list[Counts] = []
        with transaction.atomic():
            for model, field in encrypted_columns():
                results.append(self._column(model, field, newest, check=check, batch_size=batch_size))
        stale = 0
        for c in results:
            if check:
                stale += c.rotated
                self.stdout.write(f"{c.label}: {c.rotated} not on the newest key, {c.current} on it, {c.empty} empty")
            else:
                self.stdout.write(
                    f"{c.label}: {c.rotated} re-encrypted, {c.current} already on the newest key, {c.empty} empty"
                )
        if check:
            if stale:
                raise CommandError(f"{stale} stored secret(s) are not on the newest key yet.", returncode=1)
            self.stdout.write(self.style.SUCCESS("Every stored secret is on the newest key."))
        else:
            total = sum(c.rotated for c in results)
            self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} stored secret(s) with the newest key."))

    def _column(
        self, model: type[models.Model], field: models.Field[Any, Any], newest: Fernet, *, check: bool, batch_size: int
    ) -> Counts:
        counts = Counts(f"{model._meta.label}.{field.name}")
        qn = connection.ops.quote_name
        pk_field = model._meta.pk
        pk_column, field_column = (pk_field.column if pk_field else None), field.column
        assert pk_column is not None and field_column is not None
        table, column, pk = qn(model._meta.db_table), qn(field_column), qn(pk_column)
        select = f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s"
        update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s"
        last: Any = None
        with connection.cursor() as cursor:
            while True:
                if last is None:
                    cursor.execute(f"SELECT {pk}, {column} FROM {table} ORDER BY {pk} LIMIT %s", [batch_size])
                else:
                    cursor.execute(select, [last, batch_size])
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                changes = []
                for row_pk, value in rows:
                    if not value:
                        counts.empty += 1
                        continue
                    try:
                        newest.decrypt(str(value).encode())
                    except InvalidToken:
                        pass
                    else:
                        counts.current += 1
                        continue
                    try:
                        rotated = crypto.rotate(str(value))
                    except InvalidToken:
                        raise CommandError(
                            f"{counts.label} of row {row_pk} cannot be decrypted with any configured key "
                            "(was an old key removed before rotating?). Nothing was changed."
                        ) from None
                    counts.rotated += 1
                    changes.append((rotated, row_pk))
                if changes and not check:
                    cursor.executemany(update, changes)
        return counts
