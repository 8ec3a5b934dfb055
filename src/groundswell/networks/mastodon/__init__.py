"""Mastodon: per-instance OAuth app, statuses with an Idempotency-Key, counts from the status itself."""
