"""Demo pitches: members' approved pitches and one published showcase edition. Idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from groups.models import Group, GroupMembership

from . import services
from .models import Edition, Pitch

DEMO_PITCHES = [
    (
        "x_post",
        "Graphiste indépendante à Lyon : je crée des identités visuelles pour les artisans "
        "qui veulent être reconnus du premier coup d'œil. Portfolio et tarifs ici 👇",
        "artisans et commerçants de la métropole de Lyon",
        "https://portfolio.example.org/awa",
    ),
    (
        "linkedin_headline",
        "Développeur Python en reconversion · ex-comptable · j'automatise les tâches "
        "répétitives des petites associations",
        "recruteurs tech et associations",
        "https://www.linkedin.com/in/demo-karim",
    ),
    (
        "bluesky",
        "Formatrice en prise de parole 🎤 J'aide les indépendants à présenter leur métier "
        "en 30 secondes. Ateliers à Villeurbanne et en ligne.",
        "indépendants et créateurs d'entreprise",
        "contact@demo-formation.example.org",
    ),
]


def demo_create(log: Callable[[str], None] = print) -> None:
    if Pitch.objects.exists():
        log("Demo pitches already there.")
        return
    made = 0
    for group in Group.objects.select_related("association").order_by("pk"):
        members = list(
            GroupMembership.objects.filter(group=group, role=GroupMembership.Role.MEMBER)
            .select_related("user")
            .order_by("pk")
        )
        moderator = group.facilitator
        if len(members) < 2 or moderator is None:
            continue
        for index, (network, text, audience, contact) in enumerate(DEMO_PITCHES[: len(members)]):
            author = members[index].user
            peer = members[(index + 1) % len(members)].user
            pitch = services.pitch_save(
                actor=author,
                group=group,
                network=network,
                text=text,
                audience=audience,
                contact=contact,
            )
            services.pitch_submit(actor=author, pitch=pitch)
            services.pitch_mark_ready(actor=peer, version=pitch.versions.get())
            services.pitch_approve(actor=moderator, pitch=pitch)
            made += 1
        # Approved last week, so the latest weekly slot publishes them.
        Pitch.objects.filter(group=group).update(approved_at=timezone.now() - dt.timedelta(days=8))
        services.showcase_publish(association_id=group.association_id)
    log(f"{made} demo pitches, {Edition.objects.count()} showcase edition(s).")
