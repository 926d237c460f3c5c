"""The on-disk HTTP cache: one SQLite file under the user's cache directory.

A response is stored with the time it was fetched and served again until it is older than the
caller's time to live, so a second run makes no request and `--offline` can run from it alone.
SQLite rather than a directory of files: one file to delete, atomic writes, safe when two runs
share it (SQLite locks), and a lookup is an indexed read.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import platformdirs

DEFAULT_TTL = 30 * 24 * 3600.0  # metadata of published papers changes rarely; a month is fine
CACHE_ENV = "BIBKIT_CACHE_DIR"


def default_cache_dir() -> Path:
    """`$BIBKIT_CACHE_DIR`, else the platform's user cache directory (XDG on Linux)."""
    explicit = os.environ.get(CACHE_ENV)
    return Path(explicit) if explicit else Path(platformdirs.user_cache_dir("bibkit"))


# Query parameters that carry a secret (OpenAlex's `api_key`): never part of a cache key, so
# the cache file holds no key (the answer does not depend on whose key asked)
SECRET_PARAMETERS = frozenset({"api_key"})


def without_secrets(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if not parts.query or not any(name in parts.query for name in SECRET_PARAMETERS):
        return url
    kept = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            if k not in SECRET_PARAMETERS]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))


def request_key(method: str, url: str, body: bytes = b"") -> str:
    digest = hashlib.sha256(body).hexdigest()[:16] if body else ""
    return f"{method} {without_secrets(url)} {digest}".rstrip()


class CacheError(OSError):
    """The cache file cannot be opened or written; the run goes on without it."""


SCHEMA_VERSION = 1  # PRAGMA user_version of the file; 0 in files bibkit made before it
_COLUMNS = ["key", "status", "body", "fetched"]


class _OtherSchema(sqlite3.DatabaseError):
    """The file is another bibkit version's cache (or another program's database)."""


class HttpCache:
    """`moved_aside` names the file this cache replaced, if it replaced one, and `why` says
    why (damaged, or another version's schema): the caller says so once; the next run finds
    a sound cache."""

    def __init__(self, directory: Path | str, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(directory) / "http-cache.sqlite3"
        self.clock = clock
        self.moved_aside: Path | None = None
        self.why = ""
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._db = self._open()
            except sqlite3.OperationalError:  # locked, an I/O error: not the file's fault
                raise
            except sqlite3.DatabaseError as exc:  # garbage, a truncated file, another
                # version's tables: kept for inspection, a new cache started
                self.why = (str(exc) if isinstance(exc, _OtherSchema)
                            else "the cache was damaged")
                self.moved_aside = self._move_aside(
                    "other-version" if isinstance(exc, _OtherSchema) else "damaged")
                self._db = self._open()
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"{self.path}: cannot use the cache ({exc})") from exc

    def _open(self) -> sqlite3.Connection:
        # one connection for the run, used from the threads that ask sources in parallel
        # (`bibkit profile`); every use holds the lock
        db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        try:
            # quick_check reads every page: a file cut short or overwritten in the middle
            # fails here, once, instead of in every lookup of every later run
            if db.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise sqlite3.DatabaseError("the cache file is damaged")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            columns = [row[1] for row in db.execute("PRAGMA table_info(responses)")]
            if version not in (0, SCHEMA_VERSION) or columns not in ([], _COLUMNS):
                # every lookup would miss and every store fail, run after run, unsaid
                raise _OtherSchema(f"the cache was made by another version of bibkit "
                                   f"(schema {version}, columns {', '.join(columns) or 'none'})")
            db.execute(
                "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, status INTEGER "
                "NOT NULL, body BLOB NOT NULL, fetched REAL NOT NULL)"
            )
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.commit()
        except BaseException:
            db.close()
            raise
        return db

    def _move_aside(self, label: str) -> Path:
        """Rename the file (and its journal) to `….damaged-<time>` (or `other-version`), for
        inspection."""
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.{label}-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.{label}-{stamp}-{n}")
        os.replace(self.path, aside)
        for suffix in ("-journal", "-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        return aside

    def get(self, key: str, ttl: float) -> tuple[int, bytes] | None:
        """The stored (status, body), or None when absent or older than `ttl` seconds."""
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT status, body, fetched FROM responses WHERE key = ?", (key,)
                ).fetchone()
        except sqlite3.Error:
            return None  # a damaged cache is a cache miss, not a failed run
        if row is None or self.clock() - row[2] > ttl:
            return None
        return int(row[0]), bytes(row[1])

    def put(self, key: str, status: int, body: bytes, fetched: float | None = None) -> None:
        """Store an answer; `fetched` in the past makes it expire sooner (an answer that
        may be transient is kept only briefly: see HttpClient.keep_briefly)."""
        try:
            with self._lock:
                self._db.execute(
                    "INSERT OR REPLACE INTO responses (key, status, body, fetched) "
                    "VALUES (?, ?, ?, ?)",
                    (key, status, body, self.clock() if fetched is None else fetched),
                )
                self._db.commit()
        except sqlite3.Error:
            pass  # a full disk or a locked file costs a future request, nothing else

    def backdate(self, key: str, fetched: float) -> None:
        try:
            with self._lock:
                self._db.execute("UPDATE responses SET fetched = ? WHERE key = ?",
                                 (fetched, key))
                self._db.commit()
        except sqlite3.Error:
            pass

    def delete(self, keys: list[str]) -> None:
        """Forget these answers (ones the resolver could not read: a captive portal's page
        must not be served for a month)."""
        try:
            with self._lock:
                self._db.executemany("DELETE FROM responses WHERE key = ?",
                                     [(k,) for k in keys])
                self._db.commit()
        except sqlite3.Error:
            pass

    def close(self) -> None:
        self._db.close()
