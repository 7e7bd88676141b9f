from django.urls import path

from . import views

app_name = "followups"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("export.csv", views.export_csv, name="export"),
    path("tout-supprimer/", views.delete_all, name="delete_all"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/etapes/<int:step_pk>/fait/", views.step_done, name="step_done"),
    path("<int:pk>/etapes/nouvelle/", views.step_new, name="step_new"),
    path("<int:pk>/supprimer/", views.delete, name="delete"),
]
