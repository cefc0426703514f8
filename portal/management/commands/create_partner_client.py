"""Issue OAuth2 client credentials to a partner organisation."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import services
from portal.models import Organisation


class Command(BaseCommand):
    help = "Create an OAuth2 client-credentials client for a partner organisation and print its secret once."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="The partner organisation's exact name.")
        parser.add_argument(
            "--scopes",
            nargs="+",
            default=["read"],
            help=f"Scopes the client may request: {' '.join(settings.OAUTH2_PROVIDER['SCOPES'])}.",
        )

    def handle(self, *args, organisation: str, scopes: list[str], **options):
        unknown = set(scopes) - set(settings.OAUTH2_PROVIDER["SCOPES"])
        if unknown:
            raise CommandError(f"Unknown scopes: {', '.join(sorted(unknown))}")
        matches = list(Organisation.objects.filter(name__iexact=organisation)[:2])
        if not matches:
            raise CommandError(f"No organisation is called {organisation!r}; create it in the admin first.")
        if len(matches) > 1:
            raise CommandError(f"More than one organisation is called {organisation!r}; rename one in the admin.")
        credential, secret = services.partner_credential_create(organisation=matches[0], scopes=scopes, created_by=None)
        self.stdout.write(f"Organisation:  {credential.organisation}")
        self.stdout.write(f"Scopes:        {credential.scopes}")
        self.stdout.write(f"Client id:     {credential.application.client_id}")
        self.stdout.write(f"Client secret: {secret}")
        self.stdout.write("Store the secret now: it is kept only as a hash and cannot be shown again.")
