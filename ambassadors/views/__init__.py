"""The ambassadors pages, one module per area; re-exported so ``urls.py`` sees one namespace."""

from .leads import *  # noqa: F403 - the leads pages, named in views/leads.py __all__
