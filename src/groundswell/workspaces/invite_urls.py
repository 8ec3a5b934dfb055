from django.urls import path

from groundswell.workspaces import invitations

urlpatterns = [path("<str:token>/", invitations.accept, name="accept_invitation")]
