from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from cms.demo import demo_site_create

# Each app adds its demo data here; steps whose module does not exist yet are skipped.
DEMO_STEPS = [
    "associations.demo.demo_create",
    "lottery.demo.demo_create",
    "groups.demo.demo_create",
    # After the groups: the drawn lottery's first prize carries a seat its winner takes.
    "lottery.demo_story.demo_draws_create",
    "papers.demo.demo_create",
    "groups.pitches.demo.demo_create",
]


class Command(BaseCommand):
    help = "Fill the database with demo content and accounts. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (never on a real production database).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Use --force to run anyway."
            )
        demo_site_create(log=self.stdout.write)
        for dotted_path in DEMO_STEPS:
            try:
                step = import_string(dotted_path)
            except ModuleNotFoundError as exc:
                # Only a missing app or demo module means "not written yet"; a broken
                # import inside an existing module is a bug and must show.
                if not exc.name or not dotted_path.startswith(f"{exc.name}."):
                    raise
                self.stdout.write(f"Skipped {dotted_path}: not available yet.")
                continue
            self.stdout.write(f"Running {dotted_path}…")
            step()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
