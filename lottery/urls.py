from django.urls import path

from . import checkout_views, views, webhooks

app_name = "lottery"

manage = "gestion/<slug:association_slug>/<slug:lottery_slug>/"

urlpatterns: list = [
    path("mes-billets/", views.my_tickets, name="my_tickets"),
    path("gestion/<slug:association_slug>/", views.manage_list, name="manage_list"),
    path("gestion/<slug:association_slug>/nouvelle/", views.manage_create, name="manage_create"),
    path(manage, views.manage, name="manage"),
    path(manage + "modifier/", views.manage_edit, name="manage_edit"),
    path(manage + "lots/", views.manage_prizes, name="manage_prizes"),
    path(manage + "formules/", views.manage_bundles, name="manage_bundles"),
    path(manage + "ouvrir/", views.manage_open, name="manage_open"),
    path(manage + "reporter/", views.manage_unschedule, name="manage_unschedule"),
    path(manage + "fermer/", views.manage_close, name="manage_close"),
    path(manage + "annuler/", views.manage_cancel, name="manage_cancel"),
    path(manage + "vente/", views.manage_sale, name="manage_sale"),
    path(manage + "export/commandes.csv", views.export_orders, name="export_orders"),
    path(manage + "export/billets.csv", views.export_tickets, name="export_tickets"),
    # Payments
    path("commande/<int:order_id>/paiement/", checkout_views.checkout, name="checkout"),
    path(
        "commande/<int:order_id>/confirmation/",
        checkout_views.confirmation,
        name="confirmation",
    ),
    path("commande/<int:order_id>/statut/", checkout_views.order_status, name="order_status"),
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("commande/<int:order_id>/annuler/", checkout_views.order_cancel, name="order_cancel"),
    # Last: a lottery slug takes any single path segment.
    path("<slug:slug>/acheter/", views.buy, name="buy"),
    path("<slug:slug>/", views.lottery_detail, name="detail"),
]
