"""Fixtures every test under tests/ shares with the apps' own tests."""

from __future__ import annotations

from groundswell.conftest import _fresh_cache

__all__ = ["_fresh_cache"]
