"""Signals other domains listen to, so that networks does not import them.

``workspace_account_connected`` is sent inside the transaction that stores a workspace-owned account
(``accounts.connect(..., owner=Owner.WORKSPACE)``) with ``account`` and ``by`` (the admin's membership): the
stewards domain records the brand account in the same transaction.

``post_sent`` is sent inside the transaction that marks an outbox job sent, exactly once per job, with
``post`` (the ``OutboundPost``) and ``at`` (when it went out): the sharing domain counts the share the post
carried (rollups, points) in the same transaction. The outbox itself knows nothing about shares.

``engagement_measured`` is sent inside the transaction of the engagement sync that stores new snapshots, with
``changes`` (a list of ``networks.sync.Engagement``: what each snapshot adds to its post), ``at`` and ``memo``
(a dict kept across the batches of one round, for caches). A receiver returns a ``networks.sync.Counted`` of
what it attributed, which the sync reports: the sharing domain credits a share's member (rollups, points).
"""

from django.dispatch import Signal

workspace_account_connected = Signal()
post_sent = Signal()
engagement_measured = Signal()
