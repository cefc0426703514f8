"""Prove that a backup of the portal's database restores: dump it with pg_dump (custom format),
restore the dump into a new database with pg_restore, compare the row count of every table of the
two, then drop the new database.

    DATABASE_URL=postgres://user@host:5432/portal python ops/backup_check.py [--keep DUMP_FILE]

Prints one line per table whose counts differ and a summary; exits 0 when every table matches,
1 when one does not, 2 when a step fails. Needs the PostgreSQL client programs (pg_dump,
pg_restore) of the server's major version, and a role that may create databases.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def row_counts(url: str) -> dict[str, int]:
    """The row count of every table in the public schema."""
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            tables = [row[0] for row in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                counts[table] = cursor.fetchone()[0]
    finally:
        connection.close()
    return counts


def backup_check(url: str, dump_path: Path) -> list[str]:
    """Dump ``url``'s database to ``dump_path``, restore it into a new database and return the
    tables whose row counts differ (empty when the restore is faithful). The new database is
    dropped afterwards, also on failure."""
    source = urlsplit(url).path.lstrip("/")
    target = f"{source}_restore_check"
    admin = _with_database(url, "postgres")
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump_path}", url], check=True)
    _admin_run(admin, "DROP DATABASE IF EXISTS {}", target)
    _admin_run(admin, "CREATE DATABASE {}", target)
    try:
        restored = _with_database(url, target)
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump_path)], check=True
        )
        before, after = row_counts(url), row_counts(restored)
        return [
            f"{table}: {before.get(table)} rows backed up, {after.get(table)} restored"
            for table in sorted(set(before) | set(after))
            if before.get(table) != after.get(table)
        ]
    finally:
        _admin_run(admin, "DROP DATABASE IF EXISTS {} WITH (FORCE)", target)


def _admin_run(admin_url: str, statement: str, database: str) -> None:
    # CREATE and DROP DATABASE run outside a transaction: a plain connection in autocommit.
    connection = psycopg2.connect(admin_url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL(statement).format(sql.Identifier(database)))
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the dump at this path instead of a temporary file")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to the PostgreSQL database to check.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        dump_path = options.keep or Path(scratch) / "portal.dump"
        try:
            differences = backup_check(url, dump_path)
        except (subprocess.CalledProcessError, psycopg2.Error) as error:
            print(f"The backup check could not run: {error}", file=sys.stderr)
            return 2
        tables = len(row_counts(url))
    for line in differences:
        print(line)
    print(f"{tables} tables; {'every row count matches' if not differences else f'{len(differences)} differ'}.")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
