"""Factories for groups, their members and sessions."""

from datetime import timedelta

import factory
from django.utils import timezone

from groups.models import Group, GroupMembership, Session
from tests.associations.factories import AssociationFactory
from tests.factories import UserFactory


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    association = factory.SubFactory(AssociationFactory)
    title = factory.Sequence(lambda n: f"Groupe LinkedIn {n}")
    topic = Group.Topic.LINKEDIN
    description = "Soigner son profil ensemble."


class GroupMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = GroupMembership.Role.MEMBER
    joined_via = GroupMembership.JoinedVia.INVITATION


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    group = factory.SubFactory(GroupFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    duration_minutes = 90
    place = "Maison des associations, Lyon"
