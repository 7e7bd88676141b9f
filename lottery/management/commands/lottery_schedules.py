from django.core.management.base import BaseCommand

from lottery.tasks import schedules_ensure


class Command(BaseCommand):
    help = "Create or update the lottery's periodic tasks (safe to run any number of times)."

    def handle(self, *args, **options):
        for name in schedules_ensure():
            self.stdout.write(f"{name}: ok")
