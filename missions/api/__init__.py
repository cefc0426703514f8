"""The missions app's API layer: missions, indicators with their observations, and KPI refreshes."""
