"""The large synthetic data set, every app's part in turn (``seed_demo --scale large``, and the
refresh benchmark at any size): the firms and their yearly facts first (``portal.demo_large``),
then the workspace applications, the ambassador network and the investment register that refer to
them. It lives in the missions app for the reason ``seed_demo`` does: only missions reads every
other app.

Run after ``portal.demo.seed`` (it needs the demo accounts). PostgreSQL only: each part loads its
rows with ``COPY``.
"""

import time

from ambassadors import demo_large as ambassadors_large
from funding import demo_large as funding_large
from portal import demo_large as portal_large
from workspaces import demo_large as workspaces_large

LARGE_FIRMS = portal_large.LARGE_FIRMS
PARTS = [
    ("firms", portal_large.seed),
    ("workspaces", workspaces_large.seed),
    ("ambassadors", ambassadors_large.seed),
    ("funding", funding_large.seed),
]


def large_seed(*, firms: int = LARGE_FIRMS) -> dict[str, dict]:
    """Load every app's part of the large data set for ``firms`` firms, each in its own
    transaction. Returns each part's counts, with the seconds it took under ``seconds``.

    Idempotent: a part already loaded is skipped, so a run that stopped half-way is completed by
    the next. Raises ``portal.demo_large.LargeDataError`` when a different size is loaded already
    and ``portal.bulk_copy.BulkCopyError`` outside PostgreSQL. The caller bumps the data versions."""
    results = {}
    for name, seed in PARTS:
        started = time.perf_counter()
        results[name] = seed(firms=firms)
        results[name]["seconds"] = time.perf_counter() - started
    return results
