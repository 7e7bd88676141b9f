from django.urls import path

from . import views

# Part of the groups' URLs (namespace "groups"), under /groupes/.
urlpatterns = [
    path("notifications/", views.notify_settings, name="notify_settings"),
    path(
        "notifications/desabonnement/<str:token>/",
        views.digest_unsubscribe,
        name="digest_unsubscribe",
    ),
    path("notifications/push/abonnement/", views.push_subscribe, name="push_subscribe"),
    path("notifications/push/desabonnement/", views.push_unsubscribe, name="push_unsubscribe"),
    path("service-worker.js", views.service_worker, name="service_worker"),
]
