from django.urls import path

from . import views

app_name = "papers"

manage = "gestion/<slug:association_slug>/<slug:lottery_slug>/"

urlpatterns = [
    path(manage, views.manage, name="manage"),
    path(manage + "demande-autorisation.pdf", views.request_pdf, name="request_pdf"),
    path(manage + "bilan.pdf", views.report_pdf, name="report_pdf"),
    path(manage + "bilan.xlsx", views.report_xlsx, name="report_xlsx"),
    path(manage + "arrete/", views.authorisation_scan, name="authorisation_scan"),
    path(manage + "justificatifs/<int:pk>/", views.use_proof, name="use_proof"),
    path("fonds/<slug:lottery_slug>/", views.funds, name="funds"),
]
