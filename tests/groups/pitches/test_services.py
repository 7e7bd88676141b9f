"""Pitches: written by their author within the network's limit, reviewed, approved."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from groups.pitches import services
from groups.pitches.models import Pitch, PitchVersion
from tests.factories import UserFactory

from .conftest import GOOD

pytestmark = pytest.mark.django_db


def _submitted(pgroup, author):
    pitch = services.pitch_save(actor=author, group=pgroup, **GOOD)
    return services.pitch_submit(actor=author, pitch=pitch)


def test_too_long_for_x_is_refused_and_nothing_saved(pgroup, author):
    text = "Un lien https://exemple.fr/" + "a" * 300 + " " + "b" * 248  # 8 + 23 + 1 + 248 = 280
    assert services.pitch_save(actor=author, group=pgroup, **{**GOOD, "text": text})
    with pytest.raises(ValidationError) as exc:
        services.pitch_save(
            actor=author, group=pgroup, **{**GOOD, "network": "x_bio", "text": "é" * 161}
        )
    assert "161" in str(exc.value) and "160" in str(exc.value)
    assert not Pitch.objects.filter(network="x_bio").exists()


def test_a_link_counts_23_on_x_however_long(pgroup, author):
    text = "x" * 256 + " https://exemple.fr/" + "tres-long-" * 30  # 256 + 1 + 23 = 280
    pitch = services.pitch_save(actor=author, group=pgroup, **{**GOOD, "text": text})
    assert pitch.versions.get().text == text


def test_threads_counts_emoji_as_bytes(pgroup, author):
    with pytest.raises(ValidationError):
        services.pitch_save(
            actor=author, group=pgroup, **{**GOOD, "network": "threads", "text": "👋" * 126}
        )
    services.pitch_save(
        actor=author, group=pgroup, **{**GOOD, "network": "threads", "text": "👋" * 125}
    )


def test_only_members_write_pitches(pgroup):
    with pytest.raises(PermissionDenied):
        services.pitch_save(actor=UserFactory(), group=pgroup, **GOOD)


@pytest.mark.parametrize("contact", ["", "pas un lien", "http://", "awa@", "ftp://awa.fr"])
def test_submitting_needs_a_working_contact_link(pgroup, author, contact):
    if contact.strip():
        with pytest.raises(ValidationError) as exc:
            services.pitch_save(actor=author, group=pgroup, **{**GOOD, "contact": contact})
        assert "contact" in exc.value.message_dict
        return
    pitch = services.pitch_save(actor=author, group=pgroup, **{**GOOD, "contact": contact})
    with pytest.raises(ValidationError) as exc:
        services.pitch_submit(actor=author, pitch=pitch)
    assert "contact" in exc.value.message_dict
    assert Pitch.objects.get().status == Pitch.Status.DRAFT


def test_contact_may_be_an_email_or_a_bare_domain(pgroup, author):
    pitch = services.pitch_save(
        actor=author, group=pgroup, **{**GOOD, "contact": "mailto:awa@example.fr"}
    )
    assert pitch.versions.get().contact == "awa@example.fr"
    pitch = services.pitch_save(
        actor=author, group=pgroup, pitch=pitch, **{**GOOD, "contact": "awa.example.fr"}
    )
    assert pitch.versions.first().contact == "https://awa.example.fr"


def test_submitting_needs_the_audience(pgroup, author):
    pitch = services.pitch_save(actor=author, group=pgroup, **{**GOOD, "audience": " "})
    with pytest.raises(ValidationError) as exc:
        services.pitch_submit(actor=author, pitch=pitch)
    assert "audience" in exc.value.message_dict


def test_every_edit_keeps_a_version_and_an_unchanged_save_keeps_none(pgroup, author):
    pitch = services.pitch_save(actor=author, group=pgroup, **GOOD)
    services.pitch_save(actor=author, group=pgroup, pitch=pitch, **{**GOOD, "text": "Deuxième jet"})
    services.pitch_save(actor=author, group=pgroup, pitch=pitch, **{**GOOD, "text": "Deuxième jet"})
    assert list(pitch.versions.order_by("number").values_list("number", "text")) == [
        (1, GOOD["text"]),
        (2, "Deuxième jet"),
    ]


def test_only_the_author_edits(pgroup, author, peer):
    pitch = services.pitch_save(actor=author, group=pgroup, **GOOD)
    with pytest.raises(PermissionDenied):
        services.pitch_save(actor=peer, group=pgroup, pitch=pitch, **{**GOOD, "text": "volé"})


def test_review_flow_peer_ready_then_facilitator_approves(pgroup, author, peer, facil):
    pitch = _submitted(pgroup, author)
    version = pitch.versions.get()
    with pytest.raises(ValidationError):
        services.pitch_approve(actor=facil, pitch=pitch)  # no peer has marked it ready
    services.pitch_comment_add(actor=peer, version=version, body="Ajoute ta ville au début ?")
    services.pitch_mark_ready(actor=peer, version=version)
    pitch = services.pitch_approve(actor=facil, pitch=pitch)
    assert pitch.status == Pitch.Status.APPROVED
    assert pitch.approved_version == version and pitch.approved_by == facil


def test_the_author_cannot_mark_ready_nor_approve_their_own(pgroup, author, peer, facil):
    pitch = services.pitch_save(actor=facil, group=pgroup, **GOOD)
    services.pitch_submit(actor=facil, pitch=pitch)
    version = pitch.versions.get()
    with pytest.raises(PermissionDenied):
        services.pitch_mark_ready(actor=facil, version=version)
    services.pitch_mark_ready(actor=peer, version=version)
    with pytest.raises(PermissionDenied):
        services.pitch_approve(actor=facil, pitch=pitch)


def test_a_plain_member_cannot_approve(pgroup, author, peer):
    pitch = _submitted(pgroup, author)
    services.pitch_mark_ready(actor=peer, version=pitch.versions.get())
    with pytest.raises(PermissionDenied):
        services.pitch_approve(actor=peer, pitch=pitch)


def test_ready_marks_concern_the_current_version(pgroup, author, peer, facil):
    pitch = _submitted(pgroup, author)
    old = pitch.versions.get()
    services.pitch_save(
        actor=author, group=pgroup, pitch=pitch, **{**GOOD, "text": "Nouvelle version"}
    )
    with pytest.raises(ValidationError):
        services.pitch_mark_ready(actor=peer, version=old)
    new = PitchVersion.objects.get(pitch=pitch, number=2)
    services.pitch_mark_ready(actor=peer, version=new)
    assert services.pitch_approve(actor=facil, pitch=pitch).approved_version == new


def test_editing_an_approved_pitch_keeps_the_approved_version_until_reapproval(
    pgroup, author, peer, facil
):
    pitch = _submitted(pgroup, author)
    services.pitch_mark_ready(actor=peer, version=pitch.versions.get())
    approved = services.pitch_approve(actor=facil, pitch=pitch).approved_version
    pitch = services.pitch_save(
        actor=author, group=pgroup, pitch=pitch, **{**GOOD, "text": "Retouche"}
    )
    pitch.refresh_from_db()
    assert pitch.status == Pitch.Status.IN_REVIEW
    assert pitch.approved_version == approved


def test_comments_are_for_members_only(pgroup, author):
    pitch = services.pitch_save(actor=author, group=pgroup, **GOOD)
    with pytest.raises(PermissionDenied):
        services.pitch_comment_add(actor=UserFactory(), version=pitch.versions.get(), body="spam")
    with pytest.raises(ValidationError):
        services.pitch_comment_add(actor=author, version=pitch.versions.get(), body="  ")
