"""Bluesky (AT Protocol) client."""
