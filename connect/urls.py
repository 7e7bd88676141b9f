from django.urls import path

from . import views

app_name = "connect"

urlpatterns = [
    path("stripe/retour/", views.connect_return, name="return"),
    path("<slug:slug>/connecter/", views.connect_start, name="start"),
    path("<slug:slug>/actualiser/", views.account_refresh, name="refresh"),
    path("<slug:slug>/deconnecter/", views.account_disconnect, name="disconnect"),
]
