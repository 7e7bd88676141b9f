"""Demo groups: one per verified demo association, with members, sessions, goals and a
lively room; the first prize of each of the association's demo lotteries carries a
seat in it.

Idempotent: a group is found by its association and title; a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from associations.demo import ASSOCIATIONS, DEMO_PASSWORD
from associations.models import Association

from .models import (
    Commitment,
    Group,
    GroupMembership,
    GroupSeatPrize,
    Message,
    Reaction,
    Session,
)

MEMBERS = [("Nadia", "nadia"), ("Paul", "paul"), ("Inès", "ines"), ("Karim", "karim")]

ROOM = [
    (0, "Bonjour à toutes et à tous ! Prêts pour la séance de jeudi ?"),
    (2, "Oui ! J'ai retravaillé mon titre LinkedIn, vous pourrez le relire ?"),
    (3, "Avec plaisir. Mets-le ici, on commente."),
    (2, "« Graphiste indépendante — identités visuelles pour les artisans de Lyon »"),
    (4, "Très clair. Peut-être ajouter un résultat concret ?"),
    (3, "@Nadia bonne idée pour le résultat, cf. https://www.linkedin.com/help/linkedin"),
    (1, "J'ai contacté deux personnes cette semaine, une a déjà répondu 🎉"),
    (0, "Bravo ! On garde le point « relances » pour jeudi."),
    (3, "Petite question : vous publiez plutôt le matin ou le soir ?"),
    (4, "Le mardi matin marche bien pour moi."),
    (1, "Je teste jeudi soir et je vous dis."),
    (0, "Rappel : l'ordre du jour est sur la page du groupe."),
]


def _user(email: str, name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _group_for(association: Association, team: list, log: Callable[[str], None]) -> None:
    title = f"Atelier LinkedIn — {association.name}"
    existing = Group.objects.filter(association=association, title=title).first()
    if existing is not None:
        _seats_attach(association, existing)
        return
    facilitator = User.objects.get(email=team[1][0] if len(team) > 1 else team[0][0])
    domain = team[0][0].split("@", 1)[1]
    group = Group.objects.create(
        association=association,
        title=title,
        topic=Group.Topic.LINKEDIN,
        description=(
            "Un petit groupe pour écrire son profil LinkedIn, le faire relire "
            "et se fixer chaque semaine un objectif de réseau concret."
        ),
        facilitator=facilitator,
        capacity=8,
    )
    GroupMembership.objects.create(
        group=group,
        user=facilitator,
        role=GroupMembership.Role.FACILITATOR,
        joined_via=GroupMembership.JoinedVia.APPOINTED,
    )
    people = [facilitator]
    for name, handle in MEMBERS:
        user = _user(f"{handle}@{domain}", name)
        GroupMembership.objects.get_or_create(
            group=group,
            user=user,
            defaults={"joined_via": GroupMembership.JoinedVia.INVITATION},
        )
        people.append(user)
    now = timezone.now()
    past = Session.objects.create(
        group=group,
        starts_at=now - timedelta(days=7),
        duration_minutes=90,
        place="Maison des associations",
        agenda="Tour de table ; relecture des titres.",
        reminder_sent_at=now - timedelta(days=8),
    )
    for days in (3, 17):
        Session.objects.create(
            group=group,
            starts_at=now + timedelta(days=days),
            duration_minutes=90,
            video_url="https://visio.example.org/atelier-linkedin",
            agenda="Retour sur les objectifs ; un profil relu en direct.",
        )
    goals = [
        "Contacter trois personnes et relancer chaque courriel par un appel",
        "Réécrire mon titre",
        "Publier un premier article",
    ]
    for user, goal in zip(people[1:], goals, strict=False):
        Commitment.objects.create(session=past, user=user, goal=goal)
    start = now - timedelta(hours=5)
    for seq, (who, body) in enumerate(ROOM, start=1):
        Message.objects.create(
            group=group,
            seq=seq,
            author=people[who],
            body=body,
            created_at=start + timedelta(minutes=17 * seq),
        )
    group.last_seq = len(ROOM)
    group.save(update_fields=["last_seq"])
    celebrated = Message.objects.get(group=group, seq=7)
    for user in people[:3]:
        Reaction.objects.create(message=celebrated, user=user, emoji="🎉")
    GroupMembership.objects.filter(group=group).update(last_read_seq=len(ROOM) - 3)
    _seats_attach(association, group)
    log(f"Created the group {group.title}")


def _seats_attach(association: Association, group: Group) -> None:
    """The first prize of each of the association's demo lotteries not yet drawn carries a
    seat in the group: the demo's draws (one in the past, one minutes after start) then
    enrol their winner."""
    from lottery.models import Lottery, Prize

    prizes = Prize.objects.filter(lottery__association=association, rank=1).exclude(
        lottery__status__in=(Lottery.Status.DRAWN, Lottery.Status.CANCELLED)
    )
    for prize in prizes:
        GroupSeatPrize.objects.get_or_create(prize=prize, defaults={"group": group})


def demo_create(*, log: Callable[[str], None] = print) -> None:
    with transaction.atomic():
        for data in ASSOCIATIONS:
            association = Association.objects.filter(slug=data["slug"]).first()
            if association is None or not association.is_active:
                continue  # only a verified association opens groups
            _group_for(association, data["team"], log)
