from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("connexion/<str:uidb36>/<str:token>/", views.signin_link, name="signin_link"),
]
