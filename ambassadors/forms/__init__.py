"""The ambassadors app's forms, one module per area."""
