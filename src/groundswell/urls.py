from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from groundswell.api.api import api
from groundswell.core import views as core_views
from groundswell.links import views as link_views
from groundswell.networks import views as networks_views
from groundswell.notify import views as notify_views
from groundswell.sharing.models import CODE_REGEX

handler404 = "groundswell.core.views.not_found"
handler500 = "groundswell.core.views.server_error"

workspace_patterns = [
    path("", include("groundswell.core.urls")),
    path("content/", include("groundswell.content.urls")),
    path("share/", include("groundswell.sharing.urls")),
    path("points/", include("groundswell.rewards.urls")),
    path("program/", include("groundswell.goals.urls")),
    path("dashboard/", include("groundswell.analytics.urls")),
    path("people/", include("groundswell.workspaces.urls")),
    path("tokens/", include("groundswell.api.web_urls")),
    path("accounts/", include("groundswell.networks.urls")),
    path("posts/", include("groundswell.sharing.posting_urls")),
    path("policy/", include("groundswell.policy.urls")),
    path("join/", include("groundswell.enrolment.urls")),
    path("teams/", include("groundswell.teams.urls")),
    path("brand/", include("groundswell.stewards.urls")),
    path("updates/", include("groundswell.updates.urls")),
    path("learn/", include("groundswell.learning.urls")),
    path("privacy/", include("groundswell.privacy.urls")),
    path("sso/", include("groundswell.sso.urls")),
    path("scim-tokens/", include("groundswell.scim.web_urls")),
    path("recognition/", include("groundswell.recognition.urls")),
    path("audit/", include("groundswell.audit.urls")),
    path("listening/", include("groundswell.listening.urls")),
    path("care/", include("groundswell.care.urls")),
    path("notifications/", include("groundswell.notify.urls")),
    path("stories/prompts/", include("groundswell.stories.prompt_urls")),
    path("stories/", include("groundswell.stories.urls")),
    path("videos/", include("groundswell.videos.urls")),
    path("chat/", include("groundswell.chat.urls")),
]

urlpatterns = [
    path("", core_views.index, name="index"),
    path("healthz", core_views.healthz, name="healthz"),
    path("manifest.webmanifest", notify_views.manifest, name="manifest"),
    path("sw.js", notify_views.service_worker, name="service_worker"),
    path("offline/", notify_views.offline, name="offline"),
    path("accounts/", include("allauth.urls")),
    path("invite/", include("groundswell.workspaces.invite_urls")),
    path("start/", include("groundswell.workspaces.start_urls")),
    path("unsubscribe/", include("groundswell.updates.public_urls")),
    path("watch/", include("groundswell.videos.public_urls")),  # a video shared outside, by its share code
    path("chat/", include("groundswell.chat.public_urls")),  # Slack and Teams call these (signed requests)
    path("connect/callback/", networks_views.oauth_callback, name="oauth_callback"),
    path("api/", api.urls),
    path("scim/v2/", include("groundswell.scim.urls")),
    path("", include("groundswell.links.urls")),
    path("", include("groundswell.sso.public_urls")),  # /sso/ and /w/<ws>/sso/login/ (before the member pages)
    path("w/<slug:ws>/", include(workspace_patterns)),
    re_path(rf"^(?P<code>{CODE_REGEX})$", link_views.follow, name="follow"),
]
if settings.DEBUG or getattr(settings, "ENABLE_ADMIN", False):
    urlpatterns.insert(0, path("admin/", admin.site.urls))
urlpatterns.append(re_path(r"^media/(?P<path>.+)$", core_views.media, name="media"))
