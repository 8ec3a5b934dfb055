"""Signals other domains listen to, so that networks does not import them.

``workspace_account_connected`` is sent inside the transaction that stores a workspace-owned account
(``accounts.connect_for_workspace``) with ``account`` and ``by`` (the admin's membership): the stewards
domain records the brand account in the same transaction.
"""

from django.dispatch import Signal

workspace_account_connected = Signal()
