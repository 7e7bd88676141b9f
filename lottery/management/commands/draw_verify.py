"""Check a lottery's stored draw exactly as an outsider would, from its published files."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from lottery import drand
from lottery.draw import core as draw_core
from lottery.draw.selectors import draw_record_bytes
from lottery.models import DrawResult, Lottery


class Command(BaseCommand):
    help = "Recompute a lottery's draw from its published files; print valid or what differs."

    def add_arguments(self, parser):
        parser.add_argument("lottery", help="the lottery's slug or id")

    def handle(self, *args, lottery: str, **options):
        found = Lottery.objects.filter(slug=lottery).first()
        if found is None and lottery.isdigit():
            found = Lottery.objects.filter(pk=int(lottery)).first()
        if found is None:
            raise CommandError(f"no lottery {lottery!r}")
        result = DrawResult.objects.filter(lottery=found).first()
        if result is None:
            raise CommandError(f"{found.slug} has not been drawn")
        # The bytes served as draw.json, read back: what the public downloads.
        record = json.loads(draw_record_bytes(result=result))

        def bls(round_number: int, signature: str) -> str:
            return drand.beacon_verify(round_number=round_number, signature=signature)

        with found.ledger_seal.ledger.open("rb") as ledger_file:
            problems = draw_core.draw_record_check(
                record, draw_core.Ledger(ledger_file), beacon_verify=bls
            )
        if problems:
            for problem in problems:
                self.stdout.write(problem)
            raise CommandError(f"{found.slug}: the draw does not verify")
        self.stdout.write("valid")
