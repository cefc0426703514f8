"""The ambassadors app's writes, one module per area, re-exported so callers import
``ambassadors.services``."""
