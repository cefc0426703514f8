"""How the portal logs the requests Django reports: a client error (4xx) is one warning line."""

import logging


class ClientErrorFilter(logging.Filter):
    """Drop the traceback from ``django.request``'s 4xx records. Django attaches the exception
    to a 403 (``PermissionDenied``) as if it were a fault; a refused request is not one, so it is
    logged as its one line: the reason and the path. 5xx records keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
