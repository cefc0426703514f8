"""The ambassadors pages, one module per area; re-exported so ``urls.py`` sees one namespace."""
