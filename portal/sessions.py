"""Sessions in the database, as Django keeps them, read with one prepared query."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    """Django's database sessions; only the read is plain SQL. Every signed-in request reads its
    session, and building that query through the ORM cost more than running it."""

    def _get_session_from_db(self):
        table = self.model._meta.db_table
        query = f"SELECT * FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608 - our table  # nosec B608
        session = next(iter(self.model.objects.raw(query, [self.session_key, timezone.now()])), None)
        if session is None:
            self._session_key = None
        return session
