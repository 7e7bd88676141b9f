"""The public, hash-chained feed of draw commitments (see `lottery.commitment_chain`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitmentEntry(models.Model):
    """One entry of the public, hash-chained feed of commitments (`commitment_chain`).

    Appended when a commitment is published, never changed: the canonical text
    names the previous entry's hash, so a rewrite breaks every copy kept outside.
    """

    position = models.PositiveIntegerField(_("position"), unique=True)
    lottery = models.OneToOneField(
        "lottery.Lottery",
        verbose_name=_("lottery"),
        on_delete=models.PROTECT,
        related_name="commitment_entry",
    )
    text = models.TextField(_("canonical text"))
    sha256 = models.CharField(_("entry SHA-256"), max_length=64, unique=True)
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("published commitment")
        verbose_name_plural = _("published commitments")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position}: {self.sha256}"
