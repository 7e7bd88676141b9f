from django.urls import path

from . import views

app_name = "associations"

urlpatterns = [
    path("", views.association_list, name="list"),
    path("inscription/", views.association_register, name="register"),
    path(
        "invitations/<str:token>/",
        views.invitation_accept,
        name="invitation_accept",
    ),
    path("<slug:slug>/", views.association_detail, name="detail"),
    path("<slug:slug>/tableau-de-bord/", views.association_dashboard, name="dashboard"),
    path("<slug:slug>/modifier/", views.association_edit, name="edit"),
    path("<slug:slug>/quitter/", views.association_leave, name="leave"),
    path("<slug:slug>/documents/", views.document_upload, name="document_upload"),
    path("<slug:slug>/documents/<int:pk>/", views.document_download, name="document"),
    path("<slug:slug>/invitations/", views.invitation_create, name="invite"),
    path(
        "<slug:slug>/invitations/<int:pk>/retirer/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<slug:slug>/equipe/<int:pk>/role/", views.membership_role, name="member_role"),
    path("<slug:slug>/equipe/<int:pk>/retirer/", views.membership_remove, name="member_remove"),
]
