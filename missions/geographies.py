"""The ONS GSS codes the portal's own values are labelled with: the WMCA area and its seven
boroughs. The data migration creates a ``Geography`` row for each (a test keeps them in step)."""

from portal.models import LocalAuthority

WMCA_CODE = "E47000007"
# Each WMCA borough (``Organisation``/``Workspace.local_authority``) -> its local authority code.
BOROUGH_CODES: dict[str, str] = {
    LocalAuthority.BIRMINGHAM: "E08000025",
    LocalAuthority.COVENTRY: "E08000026",
    LocalAuthority.DUDLEY: "E08000027",
    LocalAuthority.SANDWELL: "E08000028",
    LocalAuthority.SOLIHULL: "E08000029",
    LocalAuthority.WALSALL: "E08000030",
    LocalAuthority.WOLVERHAMPTON: "E08000031",
}
WMCA_BOROUGHS = list(BOROUGH_CODES)
