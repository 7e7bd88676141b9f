"""Lotteries, their prizes and bundles, orders and numbered tickets.

Rules (what may change when, who may buy how many) live in `services` (a package by topic) and
`selectors.py`; the models hold data and database-level guarantees.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from associations.storage import private_storage
from assosolos.languages import InLanguage

from . import date_window
from .addresses import lottery_url


def authorisation_upload_to(instance: "Lottery", filename: str) -> str:
    # A random name: the file's URL is never public, and its name says nothing.
    extension = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "pdf"
    return f"lottery/authorisations/{instance.association_id}/{get_random_string(24)}.{extension}"


class Lottery(index.Indexed, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        DRAWN = "drawn", _("Drawn")
        CANCELLED = "cancelled", _("Cancelled")

    association = models.ForeignKey(
        "associations.Association",
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        related_name="lotteries",
    )
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    description = models.TextField(_("description"), blank=True)
    # The association's English version, shown on the English site (assosolos/languages.py).
    title_en = models.CharField(_("title in English"), max_length=150, blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    title_here, description_here = InLanguage("title"), InLanguage("description")
    rules = models.TextField(
        _("rules"), blank=True, help_text=_("The rules of the lottery, as filed with the mayor.")
    )
    authorisation_reference = models.CharField(
        _("authorisation reference"),
        max_length=100,
        blank=True,
        help_text=_("The reference of the mayor's authorisation (article L322-3 of the CSI)."),
    )
    authorisation_date = models.DateField(_("authorisation date"), null=True, blank=True)
    authorisation_commune = models.CharField(
        _("authorising commune"),
        max_length=120,
        blank=True,
        help_text=_("The commune whose mayor signed the authorisation (the seat's commune)."),
    )
    # The signed arrêté, as scanned: private to the association's managers and staff.
    authorisation_scan = models.FileField(
        _("scan of the authorisation"),
        upload_to=authorisation_upload_to,
        storage=private_storage,
        max_length=255,
        blank=True,
    )
    ticket_price_cents = models.PositiveIntegerField(_("ticket price (cents)"))
    ticket_cap = models.PositiveIntegerField(
        _("number of tickets"), help_text=_("No more tickets than this are ever sold.")
    )
    per_person_cap = models.PositiveIntegerField(
        _("tickets per person"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit."),
    )
    sales_open_at = models.DateTimeField(_("sales open at"))
    sales_close_at = models.DateTimeField(_("sales close at"))
    draw_at = models.DateTimeField(_("draw at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Set when an admin asks for sales to open; the sweep opens the lottery at
    # sales_open_at only if this is set, so a draft never goes live by itself.
    open_requested_at = models.DateTimeField(_("opening requested at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Draw: the rule is chosen before opening; from the seal on the ledger never changes.
    one_prize_per_person = models.BooleanField(
        _("one prize per person"),
        default=False,
        help_text=_("A person holding several winning tickets wins only the first prize drawn."),
    )
    claim_deadline = models.DateField(
        _("prize claim deadline"),
        null=True,
        blank=True,
        help_text=_(
            "Winners claim their prize by this date; unclaimed prizes stay with the association."
        ),
    )
    ledger_sealed_at = models.DateTimeField(_("ledger sealed at"), null=True, blank=True)
    # Set with the email of a draw near with no ticket sold, under the row lock: sent once.
    no_sales_warned_at = models.DateTimeField(_("warned of no sale at"), null=True, blank=True)

    # The site search finds public lotteries by their words (see selectors.lotteries_search).
    search_fields = [
        index.SearchField("title", boost=2),
        index.AutocompleteField("title"),
        index.SearchField("description"),
        index.SearchField("title_en", boost=2),
        index.SearchField("description_en"),
        index.RelatedFields("association", [index.SearchField("name")]),
        index.FilterField("status"),
        index.FilterField("association_id"),
    ]

    class Meta:
        verbose_name = _("lottery")
        verbose_name_plural = _("lotteries")
        ordering = ["-sales_open_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return lottery_url(slug=self.slug)

    @classmethod
    def from_db(cls, db, field_names, values):
        # A row written before the date window (lottery.date_window) may hold a date
        # at Python's very limits, which local time cannot show: nudge it inside them
        # so every page still shows it, and the form asks for a date in the window.
        instance = super().from_db(db, field_names, values)
        for name in date_window.DATE_FIELDS + date_window.DATETIME_FIELDS:
            value = instance.__dict__.get(name)
            if value is not None:
                instance.__dict__[name] = date_window.display_safe(value)
        return instance


class LotteryTransition(models.Model):
    """One change of a lottery's status: every one is recorded, by services only."""

    lottery = models.ForeignKey(
        Lottery, verbose_name=_("lottery"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Lottery.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Lottery.Status.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Prize(models.Model):
    lottery = models.ForeignKey(
        Lottery, verbose_name=_("lottery"), on_delete=models.CASCADE, related_name="prizes"
    )
    rank = models.PositiveIntegerField(_("rank"), default=1)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    name_en = models.CharField(_("name in English"), max_length=150, blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    name_here, description_here = InLanguage("name"), InLanguage("description")
    image = models.ImageField(_("image"), upload_to="lottery/prizes/", blank=True)
    value_cents = models.PositiveIntegerField(_("value (cents)"), default=0)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)

    class Meta:
        verbose_name = _("prize")
        verbose_name_plural = _("prizes")
        ordering = ["rank", "pk"]

    def __str__(self) -> str:
        return self.name


class Bundle(models.Model):
    """A price for several tickets bought together, e.g. 5 for 8 euros."""

    lottery = models.ForeignKey(
        Lottery, verbose_name=_("lottery"), on_delete=models.CASCADE, related_name="bundles"
    )
    quantity = models.PositiveIntegerField(_("number of tickets"))
    price_cents = models.PositiveIntegerField(_("price (cents)"))

    class Meta:
        verbose_name = _("bundle")
        verbose_name_plural = _("bundles")
        ordering = ["quantity"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "quantity"], name="bundle_unique_quantity")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.price_cents}"


class Order(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        CASH = "cash", _("Cash")
        CHEQUE = "cheque", _("Cheque")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending payment")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")
        VOIDED = "voided", _("Voided")
        # Given up before payment: by the buyer, or replaced by their next order.
        CANCELLED = "cancelled", _("Cancelled")

    lottery = models.ForeignKey(
        Lottery, verbose_name=_("lottery"), on_delete=models.PROTECT, related_name="orders"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("buyer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lottery_orders",
    )
    buyer_name = models.CharField(_("buyer's name"), max_length=150, blank=True)
    buyer_email = models.EmailField(_("buyer's email"), blank=True)
    quantity = models.PositiveIntegerField(_("number of tickets"))
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    stripe_payment_intent_id = models.CharField(
        _("Stripe PaymentIntent"), max_length=255, unique=True, null=True, blank=True
    )
    stripe_refund_id = models.CharField(_("Stripe refund"), max_length=255, null=True, blank=True)
    # The association's connected account the PaymentIntent was made on ("" before
    # Connect, or for a sale without Stripe); refunds and cancellations go there too.
    stripe_account_id = models.CharField(
        _("Stripe account"), max_length=255, blank=True, default=""
    )
    refund_blocked_reason = models.TextField(_("why the refund could not be made"), blank=True)
    # What an online payment cost, read from its balance transaction on the
    # association's account (None until read): Stripe's fee and the platform's.
    # What went back to the buyer: the whole amount once refunded, or the part of a
    # partial refund made from the association's Stripe dashboard.
    refunded_cents = models.PositiveIntegerField(_("refunded (cents)"), default=0)
    # A refund or a dispute that reached Stripe after the lottery's ledger was
    # sealed: the tickets stay as sealed (the draw stands), this records when.
    refunded_after_seal_at = models.DateTimeField(
        _("refunded or disputed after the seal"), null=True, blank=True
    )
    stripe_fee_cents = models.PositiveIntegerField(_("Stripe's fee (cents)"), null=True, blank=True)
    platform_fee_cents = models.PositiveIntegerField(
        _("platform's fee (cents)"), null=True, blank=True
    )
    receipt_number = models.CharField(_("receipt number"), max_length=50, blank=True)
    # Where an online reservation came from (the client address, as
    # `assosolos.ratelimit.client_address` reads it): unpaid tickets held from one
    # address are bounded (LOTTERY_MAX_HELD_TICKETS_PER_ADDRESS).
    client_address = models.CharField(
        _("client address"), max_length=64, blank=True, default="", db_index=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("reserved until"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="order_status_expiry"),
            models.Index(fields=["lottery", "buyer", "status"], name="order_lottery_buyer"),
            # Online orders keep it normalised: caps and holds count a person by it.
            models.Index(fields=["buyer_email", "status"], name="order_buyer_email"),
        ]

    def __str__(self) -> str:
        return _("Order %(pk)s") % {"pk": self.pk}

    @property
    def is_pending(self) -> bool:
        """Reserved and not paid yet: its buyer may still pay."""
        return self.status == self.Status.PENDING

    @property
    def is_offline(self) -> bool:
        return self.channel != self.Channel.ONLINE


class Ticket(models.Model):
    """One numbered ticket. Rows exist from the moment sales open, numbered 1..cap."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        RESERVED = "reserved", _("Reserved")
        SOLD = "sold", _("Sold")
        VOID = "void", _("Void")

    lottery = models.ForeignKey(
        Lottery, verbose_name=_("lottery"), on_delete=models.CASCADE, related_name="tickets"
    )
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    sold_at = models.DateTimeField(_("sold at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["lottery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "number"], name="ticket_unique_number")
        ]
        indexes = [
            models.Index(fields=["lottery", "status", "number"], name="ticket_pool"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class StripeEvent(models.Model):
    """A Stripe webhook event already handled: the webhook's idempotency record."""

    event_id = models.CharField(_("event id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict)
    # The connected account the event came from ("" for the platform's own events).
    account = models.CharField(_("account"), max_length=255, blank=True, default="")
    outcome = models.CharField(_("outcome"), max_length=40, blank=True, default="")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


# Draw
# A commitment at opening, the sealed ledger, then one result per lottery (see
# `services.draw` and docs/draw-algorithm.md).


def _draw_file_path(instance, filename: str) -> str:
    return f"lottery/draws/{instance.lottery_id}/{filename}"


class DrawCommitment(models.Model):
    """The secret seed of a lottery's draw and its published SHA-256."""

    lottery = models.OneToOneField(
        Lottery, verbose_name=_("lottery"), on_delete=models.CASCADE, related_name="commitment"
    )
    # Secret until the draw reveals it.
    seed = models.CharField(_("seed"), max_length=64)
    commitment = models.CharField(_("commitment (SHA-256 of the seed)"), max_length=64)
    committed_at = models.DateTimeField(_("published at"), default=timezone.now)
    # True when the lottery was already open when commitments came in.
    after_opening = models.BooleanField(_("published after opening"), default=False)
    # Key of the holders' pseudonyms in the ledger; never published.
    holder_key = models.CharField(_("pseudonym key"), max_length=64)
    # The prize list's SHA-256 (draw_core.prizes_sha256), published with the commitment;
    # blank for lotteries opened before prizes were bound.
    prizes_sha256 = models.CharField(_("prize list SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("draw commitment")
        verbose_name_plural = _("draw commitments")

    def __str__(self) -> str:
        return self.commitment


class LedgerSeal(models.Model):
    """The sealed ledger of sold tickets, its hash, and the drand round it names."""

    lottery = models.OneToOneField(
        Lottery, verbose_name=_("lottery"), on_delete=models.CASCADE, related_name="ledger_seal"
    )
    sealed_at = models.DateTimeField(_("sealed at"))
    ledger = models.FileField(_("ledger file"), upload_to=_draw_file_path)
    sha256 = models.CharField(_("ledger SHA-256"), max_length=64)
    ticket_count = models.PositiveIntegerField(_("tickets in the ledger"))
    beacon_round = models.PositiveBigIntegerField(_("drand round"), null=True, blank=True)
    prizes_sha256 = models.CharField(_("prize list SHA-256"), max_length=64, blank=True)
    # Seconds added to the seal time before naming the round; null without a round.
    beacon_margin_seconds = models.PositiveIntegerField(
        _("margin before the round (seconds)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("sealed ledger")
        verbose_name_plural = _("sealed ledgers")

    def __str__(self) -> str:
        return self.sha256


class DrawResult(models.Model):
    """The one result of a lottery's draw: written once, never changed."""

    lottery = models.OneToOneField(
        Lottery, verbose_name=_("lottery"), on_delete=models.PROTECT, related_name="draw_result"
    )
    drawn_at = models.DateTimeField(_("drawn at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    algorithm = models.CharField(_("algorithm"), max_length=50)
    beacon_round = models.PositiveBigIntegerField(_("drand round"), null=True, blank=True)
    beacon_signature = models.CharField(_("drand signature"), max_length=96, blank=True)
    beacon_randomness = models.CharField(_("drand randomness"), max_length=64, blank=True)
    # The published record (draw.json), exactly as served.
    record = models.JSONField(_("record"))
    certificate = models.FileField(_("certificate (PDF)"), upload_to=_draw_file_path, blank=True)
    certificate_sha256 = models.CharField(_("certificate SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("draw result")
        verbose_name_plural = _("draw results")

    def __str__(self) -> str:
        return str(self.lottery)


class DrawWinner(models.Model):
    """One prize slot won by one ticket; the association records the claim."""

    result = models.ForeignKey(
        DrawResult, verbose_name=_("draw"), on_delete=models.CASCADE, related_name="winners"
    )
    slot = models.PositiveIntegerField(_("slot"))
    prize = models.ForeignKey(
        Prize, verbose_name=_("prize"), on_delete=models.PROTECT, related_name="winners"
    )
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="+"
    )
    holder = models.CharField(_("holder pseudonym"), max_length=16)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claim recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Recorded after the lottery's claim deadline, which only a manager or the
    # platform's staff may do, with the reason shown in the claims list.
    claimed_late = models.BooleanField(_("handed over after the deadline"), default=False)
    late_reason = models.CharField(_("why after the deadline"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("winner")
        verbose_name_plural = _("winners")
        ordering = ["result", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["result", "slot"], name="draw_winner_unique_slot")
        ]

    def __str__(self) -> str:
        return f"{self.prize} → #{self.ticket.number}"


class OrderEvent(models.Model):
    """One change made to an order from the back office: who, when, why, before and after.

    Written by the back-office services in the same transaction as the change.
    """

    class Kind(models.TextChoices):
        REFUNDED = "refunded", _("Refunded")
        VOIDED = "voided", _("Voided")
        CORRECTED = "corrected", _("Corrected")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=255, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        verbose_name = _("order change")
        verbose_name_plural = _("order changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


# The public chain of commitments and the CMS index page, in modules of their own
# (models.py stays short).
from .commitment_models import CommitmentEntry as CommitmentEntry  # noqa: E402
from .index_page import LotteryIndexPage as LotteryIndexPage  # noqa: E402
from .index_page import permanent_redirect_keeping_query as permanent_redirect_keeping_query  # noqa: E402
