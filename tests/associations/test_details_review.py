"""A verified association's new name or commune waits for staff before it shows."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from associations import selectors, services
from associations.models import Association, AssociationDetailsChange, Membership
from tests.associations.factories import AssociationFactory, MembershipFactory
from tests.factories import StaffFactory, staff_sign_in

pytestmark = pytest.mark.django_db

Status = Association.Status


@pytest.fixture
def verified():
    association = AssociationFactory(name="Entraide Lyon", postcode="69001", commune="Lyon")
    owner = MembershipFactory(association=association, role=Membership.Role.OWNER).user
    return association, owner


def edit_data(association, **overrides):
    fields = {
        name: getattr(association, name) for name in Association.EDITABLE_FIELDS if name != "logo"
    }
    fields.update(overrides)
    return fields


def test_a_new_name_and_commune_wait_for_review_while_other_fields_apply(client, verified):
    association, owner = verified
    client.force_login(owner)
    response = client.post(
        reverse("associations:edit", args=[association.slug]),
        edit_data(
            association,
            name="Arnaque Gratuite",
            postcode="75011",
            commune="Paris",
            purpose="Un nouvel objet.",
        ),
    )
    assert response.status_code == 302
    association.refresh_from_db()
    assert (association.name, association.postcode, association.commune) == (
        "Entraide Lyon",
        "69001",
        "Lyon",
    )
    assert association.purpose == "Un nouvel objet."
    change = AssociationDetailsChange.objects.get()
    assert change.changes == {"name": "Arnaque Gratuite", "postcode": "75011", "commune": "Paris"}
    assert change.proposed_by == owner

    public = client.get(association.get_absolute_url())
    assert "Entraide Lyon" in public.text
    assert "Arnaque Gratuite" not in public.text
    edit_page = client.get(reverse("associations:edit", args=[association.slug]))
    assert "Arnaque Gratuite" in edit_page.text  # shown as waiting for review


def test_a_second_edit_adds_to_the_pending_change(verified):
    association, owner = verified
    services.association_details_update(association=association, actor=owner, name="Nouveau nom")
    services.association_details_update(
        association=association, actor=owner, commune="Villeurbanne", postcode="69100"
    )
    change = AssociationDetailsChange.objects.get()
    assert change.changes == {
        "name": "Nouveau nom",
        "commune": "Villeurbanne",
        "postcode": "69100",
    }


def test_an_invalid_proposal_is_refused_at_once(verified):
    association, owner = verified
    with pytest.raises(ValidationError) as exc:
        services.association_details_update(association=association, actor=owner, postcode="６９１")
    assert "postcode" in exc.value.error_dict
    assert not AssociationDetailsChange.objects.exists()


def test_a_pending_association_changes_its_details_directly(verified):
    association, owner = verified
    Association.objects.filter(pk=association.pk).update(status=Status.PENDING)
    association.refresh_from_db()
    services.association_details_update(association=association, actor=owner, name="Autre nom")
    association.refresh_from_db()
    assert association.name == "Autre nom"
    assert not AssociationDetailsChange.objects.exists()


def test_staff_accept_the_change_in_the_review_screen(client, verified):
    association, owner = verified
    change = services.association_details_update(
        association=association, actor=owner, name="Entraide Villeurbanne", commune="Villeurbanne"
    )
    assert selectors.associations_for_review().first() == association
    staff_sign_in(client, StaffFactory())
    inspect = client.get(reverse("association_review:inspect", args=[association.pk]))
    assert "Entraide Villeurbanne" in inspect.text
    accept_url = reverse("association_review:details_change", args=["accept", change.pk])
    assert accept_url in inspect.text

    response = client.post(accept_url, {"reason": ""})
    assert response.status_code == 302
    association.refresh_from_db()
    assert (association.name, association.commune) == ("Entraide Villeurbanne", "Villeurbanne")
    change.refresh_from_db()
    assert change.status == AssociationDetailsChange.Status.ACCEPTED
    # Decided once only.
    with pytest.raises(ValidationError):
        services.association_details_change_reject(
            change_id=change.pk, actor=StaffFactory(), reason="Trop tard"
        )


def test_staff_reject_the_change_with_a_reason(client, verified):
    association, owner = verified
    change = services.association_details_update(
        association=association, actor=owner, name="Autre chose"
    )
    staff_sign_in(client, StaffFactory())
    url = reverse("association_review:details_change", args=["reject", change.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200  # a reason is required
    response = client.post(url, {"reason": "Le nom ne correspond pas aux statuts."})
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.name == "Entraide Lyon"
    change.refresh_from_db()
    assert change.status == AssociationDetailsChange.Status.REJECTED
    assert selectors.association_pending_details_change(association=association) is None


def test_site_users_cannot_decide_a_change(client, verified):
    association, owner = verified
    change = services.association_details_update(
        association=association, actor=owner, name="Autre chose"
    )
    client.force_login(owner)
    client.post(reverse("association_review:details_change", args=["accept", change.pk]))
    association.refresh_from_db()
    assert association.name == "Entraide Lyon"
