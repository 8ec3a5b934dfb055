"""Privacy providers for the apps that existed before the privacy centre, registered by ``PrivacyConfig.ready``.

They live here (not in each app) so the privacy centre owns the words it shows members. Apps added later
register their own provider from their ``AppConfig.ready``.
"""

from __future__ import annotations

from groundswell.privacy import registry


def register_all() -> None:
    from groundswell.privacy.providers.account import AccountProvider
    from groundswell.privacy.providers.activity import AnalyticsProvider, LinksProvider
    from groundswell.privacy.providers.content import ContentProvider, GoalsProvider, PolicyProvider
    from groundswell.privacy.providers.networks import NetworksProvider
    from groundswell.privacy.providers.privacy import PrivacyCentreProvider
    from groundswell.privacy.providers.sharing import SharingProvider
    from groundswell.privacy.providers.workspaces import ApiProvider, WorkspacesProvider

    for provider in (
        AccountProvider(),
        WorkspacesProvider(),
        ApiProvider(),
        ContentProvider(),
        SharingProvider(),
        LinksProvider(),
        AnalyticsProvider(),
        GoalsProvider(),
        PolicyProvider(),
        NetworksProvider(),
        PrivacyCentreProvider(),
    ):
        registry.register(provider)
