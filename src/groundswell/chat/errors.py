"""What a chat platform's send can raise; the dispatcher (``chat.dispatch``) acts on the class.

* :class:`TransientChatError`: try again later (rate limit, the platform is down). ``maybe_sent`` says the
  platform may have posted the message before the failure (a read timeout): such a message is not retried,
  so nobody gets it twice (messages are sent at most once).
* :class:`PermanentChatError`: this message will never go (channel not found, the bot is not in it).
* :class:`ChatAuthError`: the installation's credentials no longer work; the admin must reinstall.
"""

from __future__ import annotations


class ChatError(Exception):
    """A failure with a message that can be shown to an admin (never a token or a secret)."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class TransientChatError(ChatError):
    def __init__(
        self, message: str, *, code: str = "", retry_after: float | None = None, maybe_sent: bool = False
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


class PermanentChatError(ChatError):
    pass


class ChatAuthError(ChatError):
    pass
