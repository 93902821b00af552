"""Numbered schema migrations, shipped as SQL files, the same numbers for every backend.

``sql/<dialect>/NNNN_name.sql`` (dialect ``sqlite`` or ``postgresql``): migration N
must exist for both dialects (`check_dialects_agree`), numbers run 1, 2, 3 … without gaps,
and each database records the applied ones in ``schema_version (version, name, applied)``.
A backend applies the pending ones in order, each in its own transaction together with its
``schema_version`` row, under a lock (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory
transaction lock), so replicas starting at the same moment migrate once.

Statements are split on ``;`` (so a statement must not hold a literal ``;``); lines starting
with ``--`` are comments. Trade-off: a hand-written runner of ~60 lines instead of a migration
framework (Alembic would bring SQLAlchemy for two tables); it only ever goes forward.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

DIALECTS = ("sqlite", "postgresql")
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

SCHEMA_VERSION_TABLE = {
    "sqlite": (
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)"
    ),
    "postgresql": (
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TIMESTAMPTZ NOT NULL DEFAULT now())"
    ),
}


class MigrationError(Exception):
    """The shipped migration files are inconsistent, or a database is newer than this program."""


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str

    @property
    def statements(self) -> tuple[str, ...]:
        """The SQL statements of the file, comments dropped."""
        code = "\n".join(line for line in self.sql.splitlines() if not line.strip().startswith("--"))
        return tuple(chunk.strip() for chunk in code.split(";") if chunk.strip())


@cache
def migrations(dialect: str) -> tuple[Migration, ...]:
    """The migrations shipped for `dialect`, in order (checked: numbered 1..N, no gaps)."""
    if dialect not in DIALECTS:
        raise MigrationError(f"no migrations for dialect {dialect!r}")
    folder = resources.files(__package__).joinpath("sql", dialect)
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
        elif entry.name.endswith(".sql"):
            raise MigrationError(f"migration file {entry.name!r} is not named NNNN_name.sql")
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise MigrationError(f"{dialect} migrations must be numbered 1..N without gaps, found {numbers}")
    return tuple(found)


def check_dialects_agree() -> int:
    """The latest schema version, after checking every dialect ships the same numbers and names."""
    shapes = {d: [(m.number, m.name) for m in migrations(d)] for d in DIALECTS}
    first = shapes[DIALECTS[0]]
    for dialect, shape in shapes.items():
        if shape != first:
            raise MigrationError(f"{dialect} migrations {shape} differ from {DIALECTS[0]} {first}")
    return len(first)


def pending(dialect: str, applied: int) -> tuple[Migration, ...]:
    """The migrations after version `applied`; a database newer than this program is refused."""
    shipped = migrations(dialect)
    if applied > len(shipped):
        raise MigrationError(
            f"the feedback database is at schema version {applied}, newer than this program "
            f"knows ({len(shipped)}); update the program instead of writing to it"
        )
    return shipped[applied:]
