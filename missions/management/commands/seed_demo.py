"""Load synthetic demo data and the demo accounts (local use only).

The command lives in the missions app because it seeds every app, and only missions may read
every other app (SPEC §2); each app's own demo data stays in its ``demo`` module.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ambassadors import demo as ambassadors_demo
from funding import demo as funding_demo
from missions import demo as missions_demo
from portal import demo
from portal.page_cache import DATA_KEYS, data_version_bump
from workspaces import demo as workspaces_demo


class Command(BaseCommand):
    help = (
        "Create demo accounts, partner organisations, a demo API client, synthetic firms, demo workspaces "
        "and applications, and the demo ambassador network. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiples of 300 synthetic firms and 10 workspace applications (default 1).",
        )

    def handle(self, *args, scale: int, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "seed_demo refuses to run under production settings: demo accounts have known passwords."
            )
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        counts = demo.seed(scale=scale)
        workspace_counts = workspaces_demo.seed(scale=scale)
        network = ambassadors_demo.seed()
        funding_counts = funding_demo.seed()
        grant_counts = funding_demo.grants_seed()
        # The indicator catalogue and the official comparators (real published figures).
        call_command("load_reference_figures", stdout=self.stdout)
        reported = missions_demo.reported_values_seed()
        # The demo modules insert in bulk, past the services: every cached page starts afresh.
        data_version_bump(*DATA_KEYS)
        run = missions_demo.kpis_refresh_now()
        self.stdout.write(f"Reported demo values added: {reported} (marked synthetic).")
        if run is None:
            self.stdout.write("A KPI refresh is already running; the dashboards fill when it ends.")
        else:
            self.stdout.write(
                f"KPI refresh {run.pk}: {run.status}, {run.indicators_done}/{run.indicators_total} indicators."
            )
        self.stdout.write(
            f"Demo data ready: {counts['firms']} synthetic firms ({counts['new_firms']} new), "
            f"{counts['firm_years']} firm-years."
        )
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(workspace_counts["by_status"].items()))
        self.stdout.write(
            f"Demo workspaces: {workspace_counts['workspaces']} ({workspace_counts['new_workspaces']} new), "
            f"each marked {workspaces_demo.DEMO_MARK}; demo applications: {workspace_counts['applications']} "
            f"({workspace_counts['new_applications']} new): {statuses}."
        )
        self.stdout.write(
            f"Demo ambassador network: {network['ambassadors']} ambassadors in {network['countries']} countries, "
            f"{network['activities']} activities, {network['leads']} leads ({network['landed']} landed), "
            f"{network['invitations']} pending invitation, {network['target_markets']} target markets; "
            f"every name marked {ambassadors_demo.DEMO_MARK}."
            f"Demo funding opportunities: {funding_counts['opportunities']} "
            f"({funding_counts['new_opportunities']} new) from {funding_counts['funders']} funders, "
            "each marked synthetic."
            f" Demo grants and awards: {grant_counts['grants']} ({grant_counts['new_grants']} new)."
        )
        self.stdout.write(
            f"Demo programme budget: {funding_counts['budget_lines']} plan lines, "
            f"{funding_counts['spend_entries']} spend entries, each marked synthetic."
        )
        self.stdout.write(
            f"Demo investments: {funding_counts['investments']} ({funding_counts['new_investments']} new), "
            f"{funding_counts['flagged']} flagged as possible duplicates; every investor named (demo)."
        )
        self.stdout.write("Demo accounts (local use only), password " + demo.DEMO_PASSWORD + ":")
        for email, _name, role, mfa in demo.DEMO_ACCOUNTS:
            extra = f"  TOTP secret {demo.DEMO_TOTP_SECRET}" if mfa else ""
            self.stdout.write(f"  {email:<26} {role:<11}{extra}")
        self.stdout.write(
            f"Partner API client: id {demo.DEMO_PARTNER_CLIENT_ID}, secret {demo.DEMO_PARTNER_SECRET}, every scope."
        )
