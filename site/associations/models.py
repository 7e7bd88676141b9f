"""Associations, their documents, their team and its invitations.

Rules (who may do what, what a valid number is) live in `services.py` and
`selectors.py`; the models hold data and database-level guarantees.
"""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.search import index

from .storage import private_storage
from .validators import validate_postcode, validate_rna, validate_siren


class Association(index.Indexed, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    class LegalForm(models.TextChoices):
        LAW_1901 = "loi1901", _("Association (law of 1901)")
        LOCAL_LAW = "alsace_moselle", _("Association (local law, Alsace-Moselle)")
        RECOGNISED = "rup", _("Association recognised as being of public utility")
        OTHER = "other", _("Other non-profit organisation")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    legal_form = models.CharField(
        _("legal form"), max_length=20, choices=LegalForm.choices, default=LegalForm.LAW_1901
    )
    # Stored normalised (upper case, no spaces); blank when the other number is given.
    rna_number = models.CharField(
        _("RNA number"), max_length=10, blank=True, validators=[validate_rna]
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    address = models.CharField(_("registered address"), max_length=255)
    postcode = models.CharField(_("postcode"), max_length=5, validators=[validate_postcode])
    commune = models.CharField(_("commune"), max_length=120)
    purpose = models.TextField(_("purpose"))
    contact_email = models.EmailField(_("contact email"))
    website = models.URLField(_("website"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn page"), blank=True)
    facebook_url = models.URLField(_("Facebook page"), blank=True)
    instagram_url = models.URLField(_("Instagram account"), blank=True)
    x_url = models.URLField(_("X (Twitter) account"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="associations/logos/", blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status_changed_at = models.DateTimeField(_("status decided at"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Details that, once verified, change only after staff review: who the association
    # is and its commune, which decides the mayor who authorises its lotteries.
    REVIEWED_FIELDS = ("name", "postcode", "commune")

    # What managers may change after registration; identifiers and status stay.
    EDITABLE_FIELDS = (
        "name",
        "address",
        "postcode",
        "commune",
        "purpose",
        "contact_email",
        "website",
        "linkedin_url",
        "facebook_url",
        "instagram_url",
        "x_url",
        "logo",
    )

    # The site search finds verified associations by their words.
    search_fields = [
        index.SearchField("name", boost=2),
        index.AutocompleteField("name"),
        index.SearchField("purpose"),
        index.SearchField("commune"),
        index.FilterField("status"),
    ]

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["rna_number"],
                condition=~Q(rna_number=""),
                name="association_unique_rna",
            ),
            models.UniqueConstraint(
                fields=["siren"], condition=~Q(siren=""), name="association_unique_siren"
            ),
            models.CheckConstraint(
                condition=~Q(rna_number="") | ~Q(siren=""),
                name="association_rna_or_siren",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("associations:detail", kwargs={"slug": self.slug})

    def get_dashboard_url(self) -> str:
        return reverse("associations:dashboard", kwargs={"slug": self.slug})

    # Where the review stands, for templates (which compare no raw status).

    @staticmethod
    def status_is_active(status: str) -> bool:
        """Only a verified association runs lotteries and groups (`selectors`)."""
        return status == Association.Status.VERIFIED

    @property
    def is_active(self) -> bool:
        return self.status_is_active(self.status)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_rejected(self) -> bool:
        return self.status == self.Status.REJECTED

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def status_badge(self) -> str:
        """The badge's style: verified, waiting, or refused or suspended."""
        if self.is_active:
            return "badge-ok"
        return "badge-warn" if self.is_pending else "badge-err"

    @property
    def social_links(self) -> list[tuple[str, str]]:
        """(label, url) pairs for the links that are filled in."""
        pairs = [
            (_("Website"), self.website),
            ("LinkedIn", self.linkedin_url),
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("X", self.x_url),
        ]
        return [(label, url) for label, url in pairs if url]


class AssociationStatusChange(models.Model):
    """One staff decision on an association, kept as history."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("status"), max_length=20, choices=Association.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.association} → {self.status}"


def document_upload_to(instance: "AssociationDocument", filename: str) -> str:
    # A random name: the original name is kept in a field, never trusted as a path.
    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.content_type, "bin"
    )
    return f"associations/{instance.association_id}/documents/{uuid4().hex}.{ext}"


class AssociationDocument(models.Model):
    class Kind(models.TextChoices):
        STATUTES = "statutes", _("Statutes")
        PREFECTURE_RECEIPT = "prefecture_receipt", _("Prefecture's receipt")
        # Asked by the mayor with a lottery request whose issue capital exceeds 7,500 €.
        ACCOUNTS = "accounts", _("Accounts of the last financial year")
        OTHER = "other", _("Other document")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    file = models.FileField(
        _("file"), upload_to=document_upload_to, storage=private_storage, max_length=255
    )
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "associations:document",
            kwargs={"slug": self.association.slug, "pk": self.pk},
        )


class Membership(models.Model):
    class Role(models.TextChoices):
        # With a context: Wagtail's own "Owner" (of a page) translates differently.
        OWNER = "owner", pgettext_lazy("association role", "Owner")
        ADMIN = "admin", pgettext_lazy("association role", "Administrator")
        MEMBER = "member", pgettext_lazy("association role", "Member")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="association_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["association", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "user"], name="membership_unique_association_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.association} ({self.get_role_display()})"


class Invitation(models.Model):
    """An invitation to join a team, sent by email.

    The link carries a random token; only its SHA-256 is stored, so a database
    leak does not hand out working links.
    """

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} → {self.association}"

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self) -> bool:
        return not (self.is_used or self.is_revoked or self.is_expired)


class AssociationDetailsChange(models.Model):
    """A verified association's proposed new name or commune, waiting for staff.

    The association keeps its verified details, shown publicly, until staff accept.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="details_changes"
    )
    # Field name → proposed value, for fields in Association.REVIEWED_FIELDS only.
    changes = models.JSONField(_("proposed changes"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("change of details")
        verbose_name_plural = _("changes of details")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["association"],
                condition=Q(status="pending"),
                name="association_one_pending_details_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.association} ({self.get_status_display()})"

    def rows(self) -> list[dict]:
        """Current and proposed value of each changed field, for review screens."""
        return [
            {
                "label": Association._meta.get_field(name).verbose_name,
                "current": getattr(self.association, name),
                "proposed": value,
            }
            for name, value in self.changes.items()
        ]
