"""Forms of the workspaces app, one module per audience: catalogue, applications, review."""
