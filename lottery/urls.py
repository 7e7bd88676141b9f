from django.urls import path

from . import (
    backoffice_views,
    checkout_views,
    commitment_views,
    guest_views,
    index_views,
    views,
    webhooks,
)
from .draw import views as draw_views

app_name = "lottery"

manage = "gestion/<slug:association_slug>/<slug:lottery_slug>/"

urlpatterns: list = [
    path("", index_views.lottery_index, name="index"),
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
    path(
        manage + "export/commandes.csv",
        backoffice_views.export,
        {"what": "orders", "fmt": "csv"},
        name="export_orders",
    ),
    path(
        manage + "export/billets.csv",
        backoffice_views.export,
        {"what": "tickets", "fmt": "csv"},
        name="export_tickets",
    ),
    path(
        manage + "export/commandes.xlsx",
        backoffice_views.export,
        {"what": "orders", "fmt": "xlsx"},
        name="export_orders_xlsx",
    ),
    path(
        manage + "export/billets.xlsx",
        backoffice_views.export,
        {"what": "tickets", "fmt": "xlsx"},
        name="export_tickets_xlsx",
    ),
    # Payments
    path("commande/<int:order_id>/paiement/", checkout_views.checkout, name="checkout"),
    path(
        "commande/<int:order_id>/confirmation/",
        checkout_views.confirmation,
        name="confirmation",
    ),
    path("commande/<int:order_id>/statut/", checkout_views.order_status, name="order_status"),
    path("commande/<int:order_id>/recu.pdf", checkout_views.order_receipt, name="order_receipt"),
    path(
        "commande/<int:order_id>/tirage.ics", checkout_views.order_calendar, name="order_calendar"
    ),
    # A guest's order, by its signed link.
    path("commande/invite/<str:token>/", guest_views.guest_order, name="guest_order"),
    path(
        "commande/invite/<str:token>/paiement/", guest_views.guest_checkout, name="guest_checkout"
    ),
    path(
        "commande/invite/<str:token>/statut/",
        guest_views.guest_order_status,
        name="guest_order_status",
    ),
    path(
        "commande/invite/<str:token>/annuler/",
        guest_views.guest_order_cancel,
        name="guest_order_cancel",
    ),
    path(
        "commande/invite/<str:token>/recu.pdf",
        guest_views.guest_order_receipt,
        name="guest_order_receipt",
    ),
    path(
        "commande/invite/<str:token>/tirage.ics",
        guest_views.guest_order_calendar,
        name="guest_order_calendar",
    ),
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("stripe/connect/webhook/", webhooks.stripe_connect_webhook, name="stripe_connect_webhook"),
    # Draw
    path(manage + "gagnants/", draw_views.manage_claims, name="manage_claims"),
    path(
        manage + "gagnants/<int:winner_id>/remis/",
        draw_views.manage_claim_record,
        name="manage_claim_record",
    ),
    path("verificateur/verify_draw.py", draw_views.draw_verifier, name="draw_verifier"),
    path("verificateur/<str:filename>", draw_views.draw_verifier, name="draw_verifier_file"),
    path("tirages/engagements.atom", commitment_views.CommitmentsFeed(), name="commitments_feed"),
    path("tirages/engagements.txt", commitment_views.commitments_chain, name="commitments_chain"),
    path("<slug:slug>/tirage/", draw_views.draw_result, name="draw_result"),
    path("<slug:slug>/tirage/direct/", draw_views.draw_live, name="draw_live"),
    path("<slug:slug>/tirage/draw.json", draw_views.draw_record, name="draw_record"),
    path("<slug:slug>/tirage/ledger.txt", draw_views.draw_ledger, name="draw_ledger"),
    path(
        "<slug:slug>/tirage/proces-verbal.pdf",
        draw_views.draw_certificate,
        name="draw_certificate",
    ),
    path("commande/<int:order_id>/annuler/", checkout_views.order_cancel, name="order_cancel"),
    # Last: a lottery slug takes any single path segment.
    path("<slug:slug>/acheter/", views.buy, name="buy"),
    path("<slug:slug>/", views.lottery_detail, name="detail"),
]

# Back office: orders one by one, with their history.
urlpatterns += [
    path(manage + "commandes/", backoffice_views.manage_orders, name="manage_orders"),
    path(
        manage + "commandes/<int:order_id>/",
        backoffice_views.manage_order,
        name="manage_order",
    ),
    path(
        manage + "commandes/<int:order_id>/rembourser/",
        backoffice_views.manage_order_refund,
        name="manage_order_refund",
    ),
    path(
        manage + "commandes/<int:order_id>/annuler/",
        backoffice_views.manage_order_void,
        name="manage_order_void",
    ),
    path(
        manage + "commandes/<int:order_id>/corriger/",
        backoffice_views.manage_order_correct,
        name="manage_order_correct",
    ),
]

# Setting up: open at once, and see the page before it is public.
urlpatterns += [
    path(manage + "ouvrir-maintenant/", views.manage_open_now, name="manage_open_now"),
    path(manage + "apercu/", views.manage_preview, name="manage_preview"),
]
