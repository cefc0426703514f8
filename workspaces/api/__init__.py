"""The workspaces app's API layer: the public workspace catalogue and applications for their owners,
reviewers and staff."""
