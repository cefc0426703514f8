"""The funding app's API layer: the public catalogue of opportunities, written by staff and by
funder partners with the ``opportunities:write`` scope."""
