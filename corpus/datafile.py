"""Reading a versioned TOML data file (vocabularies, cue lists, settings): one copy of the checks.

Every stage keeps its vocabulary or settings in a small TOML file under `*/data/` and validates
it when first used. The common part lives here: read the file as UTF-8, parse it, and, when the
caller says so, refuse keys it does not know and a `version` other than the one it reads. Each
problem is raised as the caller's own error type (a `ValueError` subclass naming the file), so
the command line and the web server report it as they report any bad data file; what each key
must hold is checked by the caller.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.toml"
>>> _ = p.write_text('version = 1\\nwords = ["a"]\\n')
>>> read_toml(p, ValueError, keys={"version", "words"}, version=1)["words"]
['a']
>>> read_toml(p, ValueError, keys={"version"}, version=1)
Traceback (most recent call last):
...
ValueError: ...x.toml: version must be 1; unknown keys ['words']
"""

from __future__ import annotations

import tomllib
from collections.abc import Set
from pathlib import Path
from typing import Any


def read_toml(
    path: Path, error: type[Exception], *, keys: Set[str] | None = None, version: int | None = None
) -> dict[str, Any]:
    """The parsed file; `error(message)` when it cannot be read or parsed, holds a key outside
    `keys` (when given), or its `version` is not `version` (when given)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot be read ({exc})") from None
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc})") from None
    extra = sorted(set(raw) - set(keys)) if keys is not None else []
    if version is not None and (extra or raw.get("version") != version):
        raise error(f"{path}: version must be {version}; unknown keys {extra}")
    if extra:
        raise error(f"{path}: unknown keys {extra}")
    return raw
