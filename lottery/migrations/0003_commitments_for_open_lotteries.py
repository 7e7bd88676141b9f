"""Lotteries already on sale when draws came in get their commitment now.

Their page says the commitment was published after opening, and when.
"""

import hashlib
import secrets

from django.db import migrations
from django.utils import timezone


def commit_open_lotteries(apps, schema_editor):
    Lottery = apps.get_model("lottery", "Lottery")
    DrawCommitment = apps.get_model("lottery", "DrawCommitment")
    now = timezone.now()
    for lottery in Lottery.objects.filter(status__in=["open", "closed"], commitment__isnull=True):
        seed = secrets.token_bytes(32)
        DrawCommitment.objects.create(
            lottery=lottery,
            seed=seed.hex(),
            commitment=hashlib.sha256(seed).hexdigest(),
            committed_at=now,
            after_opening=True,
            holder_key=secrets.token_hex(32),
        )


class Migration(migrations.Migration):
    dependencies = [("lottery", "0002_draw_commitment_seal_result")]

    operations = [migrations.RunPython(commit_open_lotteries, migrations.RunPython.noop)]
