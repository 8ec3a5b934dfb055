"""The errors the Bluesky client raises: the shared network errors (``networks.base``), mapped from HTTP by
``networks.http`` like every plug-in's; ``status`` and ``code`` (the XRPC error name) say what the server
answered. Kept as names here for the callers that import them from the Bluesky package."""

from __future__ import annotations

from groundswell.networks.base import AuthError, NetworkError, PermanentError, TransientError

#: Catch-all for every error the Bluesky client raises.
BlueskyError = NetworkError

__all__ = ["AuthError", "BlueskyError", "PermanentError", "TransientError"]
