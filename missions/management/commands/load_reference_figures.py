"""Sync the indicator catalogue, then load the official reference figures."""

from django.core.management.base import BaseCommand

from missions.catalogue import indicator_catalogue_sync
from missions.reference import reference_figures_load


class Command(BaseCommand):
    help = "Create or update the indicator catalogue and load missions/data/reference/*.csv (idempotent)."

    def handle(self, *args, **options):
        indicators = indicator_catalogue_sync()
        result = reference_figures_load()
        self.stdout.write(f"Indicators: {indicators}")
        self.stdout.write(f"Observations loaded: {result['loaded']}")
        self.stdout.write(f"Rows skipped: {len(result['skipped'])}")
        for row_id, reason in result["skipped"]:
            self.stdout.write(f"  {row_id}: {reason}")
