"""Retire every cached page and API list, on every process and machine."""

from django.core.management.base import BaseCommand

from portal.page_cache import data_versions_retire


class Command(BaseCommand):
    help = "Retire every cached page and API list (after restoring a database backup, for example)."

    def handle(self, *args, **options):
        data_versions_retire()
        self.stdout.write("Every cached page and API list is retired; pages are built afresh on their next request.")
