from django.urls import path

from . import views

app_name = "pitches"

urlpatterns = [
    path("", views.my_pitches, name="mine"),
    path("groupe/<int:group_pk>/", views.group_pitches, name="group"),
    path("groupe/<int:group_pk>/nouveau/", views.pitch_create, name="create"),
    path("<int:pk>/", views.pitch_detail, name="detail"),
    path("<int:pk>/modifier/", views.pitch_edit, name="edit"),
    path("<int:pk>/comparer/", views.pitch_compare, name="compare"),
    path("<int:pk>/soumettre/", views.pitch_submit, name="submit"),
    path("<int:pk>/retirer/", views.pitch_withdraw, name="withdraw"),
    path("<int:pk>/approuver/", views.pitch_approve, name="approve"),
    path("<int:pk>/v<int:number>/pret/", views.pitch_ready, name="ready"),
    path("<int:pk>/v<int:number>/commenter/", views.pitch_comment, name="comment"),
    path("vitrine/<slug:association_slug>/", views.schedule_edit, name="schedule"),
    path("partager/<int:pitch_pk>/mastodon/", views.mastodon_share, name="mastodon_share"),
]
