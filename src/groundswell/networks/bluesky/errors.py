"""Errors raised by the Bluesky client: the shared network errors, plus the XRPC status and error name."""

from __future__ import annotations

from groundswell.networks import base

#: Catch-all for every error the Bluesky client raises.
BlueskyError = base.NetworkError


class TransientError(base.TransientError):
    """Worth retrying later: time-outs, connection errors, 5xx and 429. `retry_after` is in seconds when known."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        error: str | None = None,
        accepted: bool = False,
    ) -> None:
        super().__init__(message, retry_after=retry_after, accepted=accepted)
        self.status = status
        self.error = error


class AuthError(base.AuthError):
    """The credentials or tokens were refused (401, ExpiredToken, InvalidToken, AuthenticationRequired)."""

    def __init__(self, message: str, *, status: int | None = None, error: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error


class PermanentError(base.PermanentError):
    """Any other 4xx: retrying the same request will fail again. The message is the server's."""

    def __init__(self, message: str, *, status: int | None = None, error: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
