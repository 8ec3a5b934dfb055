"""SCIM 2.0 (RFC 7644), mounted at /scim/v2/. The token decides the workspace, so one base URL serves all."""

from django.urls import URLPattern, re_path

from groundswell.scim import views

app_name = "scim"
urlpatterns: list[URLPattern] = [
    re_path(r"^$", views.root, name="root"),
    re_path(r"^\.search$", views.search_everything, name="search"),
    re_path(r"^ServiceProviderConfigs?/?$", views.service_provider_config, name="service_provider_config"),
    re_path(r"^ResourceTypes/?$", views.resource_types, name="resource_types"),
    re_path(r"^ResourceTypes/(?P<name>[^/]+)/?$", views.resource_type, name="resource_type"),
    re_path(r"^Schemas/?$", views.schemas, name="schemas"),
    re_path(r"^Schemas/(?P<schema_id>[^/]+)/?$", views.schema, name="schema"),
    re_path(r"^Users/?$", views.user_list, name="users"),
    re_path(r"^Users/\.search$", views.user_search, name="user_search"),
    re_path(r"^Users/(?P<user_id>[^/]+)/?$", views.user_detail, name="user"),
    re_path(r"^Groups/?$", views.group_list, name="groups"),
    re_path(r"^Groups/\.search$", views.group_search, name="group_search"),
    re_path(r"^Groups/(?P<group_id>[^/]+)/?$", views.group_detail, name="group"),
    re_path(r"^.+$", views.unknown, name="unknown"),  # a SCIM 404, not an HTML page
]
