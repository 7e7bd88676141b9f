"""Lotteries, their prizes and bundles, orders and numbered tickets.

Rules (what may change when, who may buy how many) live in `services` (a package by topic) and
`selectors.py`; the models hold data and database-level guarantees.
"""

from django.conf import settings
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page


class Lottery(models.Model):
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
    costs_cents = models.PositiveIntegerField(
        _("organising costs (cents)"),
        default=0,
        help_text=_("Printing, fees and other costs, counted in the 15% guideline."),
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

    class Meta:
        verbose_name = _("lottery")
        verbose_name_plural = _("lotteries")
        ordering = ["-sales_open_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from .selectors import lottery_url_template

        template = lottery_url_template()
        if template:
            return template.format(slug=self.slug)
        return reverse("lottery:detail", args=[self.slug])


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
    receipt_number = models.CharField(_("receipt number"), max_length=50, blank=True)
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
        ]

    def __str__(self) -> str:
        return _("Order %(pk)s") % {"pk": self.pk}

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
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class LotteryIndexPage(RoutablePageMixin, Page):
    """Lists the open lotteries and serves each lottery's page at `<this url><slug>/`."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("lottery index")

    def get_context(self, request, *args, lottery_page: bool = False, **kwargs):
        from assosolos.page_cache import page_depends_on

        from .selectors import LOTTERY_LISTINGS, lotteries_open

        context = super().get_context(request, *args, **kwargs)
        if not lottery_page:
            page_depends_on(request, LOTTERY_LISTINGS)
            context["lotteries"] = lotteries_open()
        return context

    @path("<slug:lottery_slug>/", name="lottery")
    def lottery(self, request, lottery_slug: str):
        from .selectors import lottery_page_data
        from .views import lottery_public_context

        data = lottery_page_data(slug=lottery_slug)
        if data is None:
            raise Http404
        context = self.get_context(request, lottery_page=True)
        context.update(lottery_public_context(request=request, lottery=data.lottery, data=data))
        return TemplateResponse(request, "lottery/lottery_page.html", context)
