"""A member's follow-ups as CSV for a French spreadsheet, in the dialect of the lottery exports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lottery.exports import DATETIME, Column, Table

from . import selectors


def followups_table(*, actor: Any) -> Table:
    """One line per step, with its follow-up's details (French headers)."""
    with translation.override(settings.LANGUAGE_CODE):
        columns = [
            Column(_("Name")),
            Column(_("How we met")),
            Column(_("Where to reach them")),
            Column(_("Group session")),
            Column(_("Next step")),
            Column(_("Date")),
            Column(_("Done at"), DATETIME),
            Column(_("Outcome")),
        ]

    def rows() -> Iterator[list]:
        with translation.override(settings.LANGUAGE_CODE):
            for step in selectors.export_rows(actor=actor).iterator():
                followup = step.followup
                session = followup.session
                yield [
                    followup.name,
                    followup.get_how_display(),
                    followup.reach,
                    f"{session.group.title} {timezone.localtime(session.starts_at):%d/%m/%Y}"
                    if session
                    else "",
                    step.get_kind_display(),
                    step.due_on.strftime("%d/%m/%Y"),
                    step.done_at,
                    step.outcome,
                ]

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Follow-ups")
    return Table(title, "mes-suivis", columns, rows())
