"""Load synthetic demo data and the demo accounts (local use only).

The command lives in the missions app because it seeds every app, and only missions may read
every other app (SPEC §2); each app's own demo data stays in its ``demo`` module.
"""

import argparse
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ambassadors import demo as ambassadors_demo
from funding import demo as funding_demo
from missions import demo as missions_demo
from missions import demo_large
from portal import demo
from portal.bulk_copy import BulkCopyError
from portal.demo_large import LargeDataError
from portal.page_cache import DATA_KEYS, data_version_bump
from workspaces import demo as workspaces_demo

LARGE = "large"


def scale_value(value: str) -> int | str:
    """``--scale``: a whole number from 1, or ``large``."""
    if value == LARGE:
        return LARGE
    try:
        scale = int(value)
    except ValueError:
        scale = 0
    if scale < 1:
        raise argparse.ArgumentTypeError(f"give a whole number from 1, or {LARGE!r} (not {value!r})")
    return scale


class Command(BaseCommand):
    help = (
        "Create demo accounts, partner organisations, a demo API client, synthetic firms, demo workspaces "
        "and applications, and the demo ambassador network. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=scale_value,
            default=1,
            help=(
                "Multiples of 300 synthetic firms and 10 workspace applications (default 1); or 'large': "
                f"the demo data plus a region's worth, {demo_large.LARGE_FIRMS:,} more firms and what refers "
                "to them, loaded with COPY (PostgreSQL only)."
            ),
        )

    def handle(self, *args, scale: int | str, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "seed_demo refuses to run under production settings: demo accounts have known passwords."
            )
        large = scale == LARGE
        if large:
            scale = 1
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        counts = demo.seed(scale=scale)
        workspace_counts = workspaces_demo.seed(scale=scale)
        network = ambassadors_demo.seed()
        funding_counts = funding_demo.seed()
        grant_counts = funding_demo.grants_seed()
        if large:
            self._large_seed()
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

    def _large_seed(self) -> None:
        started = time.perf_counter()
        try:
            parts = demo_large.large_seed(firms=demo_large.LARGE_FIRMS)
        except (LargeDataError, BulkCopyError) as error:
            raise CommandError(f"--scale large: {error}") from error
        firms, spaces, network, funding = (parts[name] for name in ("firms", "workspaces", "ambassadors", "funding"))
        loaded = "loaded" if any(part["new"] for part in parts.values()) else "already loaded, nothing added"
        self.stdout.write(
            f"Large data set {loaded} in {time.perf_counter() - started:.0f} s: {firms['firms']:,} firms "
            f"({firms['firm_years']:,} firm-years), {spaces['applications']:,} workspace applications in "
            f"{spaces['workspaces']} workspaces, {network['ambassadors']:,} ambassadors with "
            f"{network['activities']:,} activities and {network['leads']:,} leads, {funding['investments']:,} "
            f"investments with {funding['investors']:,} investor rows; names marked (synthetic)."
        )
