from django.urls import path

from . import attendance_views, directory_views, views
from .attachments import views as attachment_views
from .notify.urls import urlpatterns as notify_urlpatterns
from .search.views import room_search

app_name = "groups"

urlpatterns = [
    path("", directory_views.directory, name="directory"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/salon/", views.room, name="room"),
    path("<int:pk>/salon/recherche/", room_search, name="room_search"),
    path("<int:pk>/candidater/", views.apply, name="apply"),
    path("<int:pk>/quitter/", views.leave, name="leave"),
    path("<int:pk>/calendrier.ics", views.group_calendar, name="calendar"),
    path("<int:pk>/seances/<int:session_pk>/", views.session_detail, name="session"),
    path(
        "<int:pk>/seances/<int:session_pk>/reponse/",
        attendance_views.session_answer,
        name="session_answer",
    ),
    path(
        "<int:pk>/seances/<int:session_pk>/presences/",
        attendance_views.session_sheet,
        name="session_sheet",
    ),
    path(
        "<int:pk>/seances/<int:session_pk>/places/",
        attendance_views.session_capacity,
        name="session_capacity",
    ),
    path("<int:pk>/presences/", attendance_views.group_attendance, name="attendance"),
    path(
        "<int:pk>/objectifs/<int:commitment_pk>/", views.commitment_report, name="commitment_report"
    ),
    path("<int:pk>/gestion/", views.manage, name="manage"),
    path("<int:pk>/gestion/inviter/", views.manage_invite, name="manage_invite"),
    path("<int:pk>/gestion/seances/", views.manage_session, name="manage_session"),
    path(
        "<int:pk>/gestion/candidatures/<int:application_pk>/",
        views.manage_application,
        name="manage_application",
    ),
    path(
        "<int:pk>/gestion/membres/<int:membership_pk>/retirer/",
        views.manage_member_remove,
        name="manage_member_remove",
    ),
    path(
        "<int:pk>/gestion/membres/<int:membership_pk>/silence/",
        views.manage_member_mute,
        name="manage_member_mute",
    ),
    path("invitations/<int:pk>/", views.invitation_respond, name="invitation_respond"),
    path("calendrier/<str:token>.ics", views.member_calendar, name="member_calendar"),
    path("gestion/<slug:association_slug>/", views.manage_list, name="manage_list"),
    path("<int:pk>/gestion/lots/", views.manage_seat_prize_attach, name="manage_seat_prize_attach"),
    path(
        "<int:pk>/gestion/lots/<int:seat_pk>/retirer/",
        views.manage_seat_prize_detach,
        name="manage_seat_prize_detach",
    ),
    path(
        "<int:pk>/salon/signalements/<int:seq>/classer/",
        views.room_reports_dismiss,
        name="room_reports_dismiss",
    ),
    path(
        "<int:pk>/salon/images/",
        attachment_views.room_attachment_upload,
        name="room_attachment_upload",
    ),
    path(
        "<int:pk>/salon/images/<int:attachment_pk>/",
        attachment_views.room_attachment,
        name="room_attachment",
    ),
    path(
        "<int:pk>/salon/images/<int:attachment_pk>/miniature/",
        attachment_views.room_attachment_thumbnail,
        name="room_attachment_thumbnail",
    ),
]

# Being told when away: choices, the digest's unsubscribe link, push devices.
urlpatterns += notify_urlpatterns
