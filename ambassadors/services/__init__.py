"""The ambassadors app's writes, one module per area, re-exported so callers import
``ambassadors.services``."""

from .leads import *  # noqa: F403 - the leads services, named in services/leads.py __all__
