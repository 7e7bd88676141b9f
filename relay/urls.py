from django.urls import path

from . import views

app_name = "relay"

urlpatterns = [
    path("<slug:association_slug>/", views.manage, name="manage"),
    path("<slug:association_slug>/<str:network>/connecter/", views.connect, name="connect"),
    path("<slug:association_slug>/<str:network>/deconnecter/", views.disconnect, name="disconnect"),
    path("pitch/<int:pitch_pk>/accord/", views.consent, name="consent"),
]
