from django.urls import path

from groundswell.sharing import views

app_name = "sharing"
urlpatterns = [
    path("mine/", views.my_shares, name="mine"),
    path("item/<int:item_id>/", views.share_item, name="share"),
    path("done/<int:pk>/", views.share_result, name="result"),
]
