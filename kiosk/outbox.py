"""The durable outbox: every verified check-in is stored before it is delivered, and delivered until done.

- Storage is SQLite in WAL mode with ``synchronous=FULL``. A check-in is committed before any delivery
  starts, so it survives ``kill -9`` and power loss at any moment.
- Delivery is at-least-once with retries and exponential backoff. The adapters are idempotent by
  ``checkin_id``, so the receiver records each check-in exactly once: a crash between "sent" and
  "marked delivered" only causes a harmless replay.
- The personal fields are encrypted at rest with AES-GCM. The check-in id is the associated data, so a
  row cannot be moved to another id. The key comes from ``KIOSK_OUTBOX_KEY`` (base64 of 32 bytes) or a
  key file that must be private (mode 0600), best kept outside the data folder it protects (the profile's
  ``[outbox] key_file`` or ``KIOSK_OUTBOX_KEY_FILE``, e.g. a systemd credential: docs/secrets.md). It is
  never in the repository. The database and its WAL and SHM files are created 0600.
- Delivered rows are purged after a retention period. Failed rows wait for staff (``outbox retry``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import random
import secrets
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.adapters.base import Adapter, UpstreamError
from kiosk.checkin import CheckIn, Receipt, checkin_from_dict, checkin_to_dict, display_from_dict
from kiosk.errors import KioskError
from kiosk.sqlite_busy import retry_while_locked

if TYPE_CHECKING:
    from kiosk.settings import Profile

log = logging.getLogger(__name__)

KEY_ENV = "KIOSK_OUTBOX_KEY"


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its first delivery or for a retry
    DELIVERED = "delivered"
    FAILED = "failed"  # a final refusal: waits for staff (``outbox retry``)


PENDING, DELIVERED, FAILED = DeliveryState.PENDING, DeliveryState.DELIVERED, DeliveryState.FAILED
MAX_RETRY_AFTER_S = 6 * 3600.0  # an upstream's Retry-After is honoured up to this long

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    checkin_id TEXT PRIMARY KEY,
    profile TEXT NOT NULL,
    created_at REAL NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    payload BLOB NOT NULL,
    receipt BLOB,
    delivered_at REAL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
"""


class OutboxError(KioskError):
    """The outbox database cannot be opened or used."""

    message_key = "outbox.unavailable"


class OutboxKeyError(OutboxError):
    """The encryption key is missing, malformed, readable by others, or does not open the stored rows."""

    message_key = "outbox.key_invalid"


def load_key(key_file: Path, *, create: bool = False) -> bytes:
    """The 32-byte outbox key, from ``KIOSK_OUTBOX_KEY`` or ``key_file``.

    A key file that group or others can read is refused. With ``create``, a missing file is made with a
    fresh random key, mode 0600, written whole or not at all (:func:`create_key_file`); the kiosk creates
    it only in its data folder: a key file named by the profile or ``KIOSK_OUTBOX_KEY_FILE`` (a systemd
    credential, docs/secrets.md) must exist.
    """
    env = os.environ.get(KEY_ENV)
    if env:
        try:
            key = base64.b64decode(env, validate=True)
        except ValueError as exc:
            raise OutboxKeyError(f"{KEY_ENV} is not base64") from exc
        if len(key) != 32:
            raise OutboxKeyError(f"{KEY_ENV} must decode to 32 bytes, not {len(key)}")
        return key
    try:
        if not key_file.exists():
            if not create:
                raise OutboxKeyError(f"no outbox key: set {KEY_ENV} or create {key_file}")
            create_key_file(key_file)
        if not key_file.is_file():
            raise OutboxKeyError(f"the outbox key {key_file} is not a file")
        mode = key_file.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise OutboxKeyError(f"{key_file} is readable by others (mode {stat.S_IMODE(mode):o}); chmod 600 it")
        text = key_file.read_bytes().strip()
    except OSError as exc:
        raise OutboxKeyError(f"the outbox key {key_file} cannot be read or created ({exc.strerror})") from exc
    if not text:
        raise OutboxKeyError(f"{key_file} is empty (a key being written when the machine stopped?); if the outbox "
                             "holds no check-ins, delete it and start again, else restore the key from its backup")
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise OutboxKeyError(f"{key_file} does not hold a base64 key") from exc
    if len(key) != 32:
        raise OutboxKeyError(f"{key_file} must hold 32 bytes of key, not {len(key)}")
    return key


def profile_key(profile: Profile) -> bytes:
    """The profile's outbox key (:func:`load_key`), created only in its data folder: a key file named by the
    environment, a systemd credential or the profile must already exist."""
    return load_key(profile.outbox_key_file, create=profile.configured_key_file is None)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_key_file(key_file: Path) -> None:
    """A fresh random key in ``key_file`` (mode 0600), atomically: it is written and fsync'ed to a private
    temporary file in the same folder, then linked into place (never over a key another process made at
    the same moment: theirs wins), and the folder is fsync'ed. A crash at any point leaves either no key
    file or a whole one, never the empty file that would stop the kiosk from starting."""
    folder = key_file.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = folder / f".{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.b64encode(AESGCM.generate_key(bit_length=256)) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, key_file)
    finally:
        temporary.unlink(missing_ok=True)
    _fsync_folder(folder)


@contextmanager
def _private_umask() -> Iterator[None]:
    """Files created meanwhile are 0600 whatever the process umask (SQLite creates the database, then its
    ``-wal`` and ``-shm`` files with the database's mode; nothing of it may be readable by others even for
    a moment). The umask is process-wide: this is held only while the outbox database is opened."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _prepare(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(_SCHEMA)  # the first write: the WAL and SHM files now exist


def open_private_sqlite(path: Path) -> sqlite3.Connection:
    """The outbox's SQLite database in WAL mode, its file, WAL and SHM created 0600 (and tightened if older
    files were not); raises :class:`OutboxError` when it cannot be opened."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _private_umask():
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            try:
                retry_while_locked(lambda: _prepare(db))
            except sqlite3.Error:
                db.close()
                raise
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.chmod(f"{path}{suffix}", 0o600)
    except (OSError, sqlite3.Error) as exc:
        raise OutboxError(f"the outbox database {path} cannot be opened ({exc})") from exc
    return db


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: attempt n waits up to ``base_s * 2**n`` (at most ``max_s``)."""

    base_s: float = 2.0
    max_s: float = 300.0

    def delay(self, attempts: int, rng: Callable[[], float]) -> float:
        return min(self.max_s, self.base_s * 2 ** max(0, attempts - 1)) * (0.5 + rng() / 2)


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    delivered: int
    failed: int
    oldest_pending_s: float | None


@dataclass(frozen=True)
class DeliveryResult:
    """One delivery attempt. A refusal keeps the destination's words for the person (``message_key`` and
    its ``params``) and its own ``code``; ``error`` is the line for staff."""

    checkin_id: str
    state: DeliveryState
    receipt: Receipt | None = None
    error: str | None = None
    message_key: str | None = None
    code: str | None = None
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


class Outbox:
    """A check-in queue in one SQLite file. Safe to open from several processes."""

    def __init__(self, path: Path, key: bytes, *, clock: Callable[[], float] = time.time,
                 rng: Callable[[], float] = random.random, backoff: Backoff | None = None,
                 first_attempt_hold_s: float = 0.0) -> None:
        """``first_attempt_hold_s``: a new row is left to the caller that enqueued it (the session delivers at
        once) for this long before a background worker may take it, so one check-in is not sent twice at once."""
        self.path = Path(path)
        self._hold_s = first_attempt_hold_s
        self._aead = AESGCM(key)
        self._clock = clock
        self._rng = rng
        self._backoff = backoff or Backoff()
        self._db = open_private_sqlite(self.path)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- encryption ---------------------------------------------------------------------------------
    def _seal(self, checkin_id: str, document: dict) -> bytes:
        nonce = os.urandom(12)
        plain = json.dumps(document, ensure_ascii=False).encode("utf-8")
        return nonce + self._aead.encrypt(nonce, plain, checkin_id.encode())

    def _open(self, checkin_id: str, blob: bytes) -> dict:
        try:
            plain = self._aead.decrypt(blob[:12], blob[12:], checkin_id.encode())
        except InvalidTag as exc:
            raise OutboxKeyError(f"row {checkin_id} does not decrypt: wrong key or tampered row") from exc
        return json.loads(plain)

    # -- queue --------------------------------------------------------------------------------------
    def enqueue(self, checkin: CheckIn) -> bool:
        """Store ``checkin`` durably; False when it was already stored (same id)."""
        now = self._clock()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO outbox (checkin_id, profile, created_at, state, next_attempt_at, payload)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (checkin.checkin_id, checkin.profile, now, PENDING, now + self._hold_s,
                 self._seal(checkin.checkin_id, checkin_to_dict(checkin))))
        return cursor.rowcount == 1

    def due(self, limit: int = 50) -> list[CheckIn]:
        rows = self._db.execute(
            "SELECT checkin_id, payload FROM outbox WHERE state = ? AND next_attempt_at <= ?"
            " ORDER BY created_at LIMIT ?", (PENDING, self._clock(), limit)).fetchall()
        return [checkin_from_dict(self._open(cid, payload)) for cid, payload in rows]

    def deliver(self, checkin: CheckIn, adapter: Adapter) -> DeliveryResult:
        """Submit one check-in and record the outcome; never raises for upstream failures."""
        cid = checkin.checkin_id
        try:
            receipt = adapter.submit(checkin)
        except UpstreamError as exc:
            return self._record_failure(cid, exc)
        document = {"reference": receipt.reference, "display": receipt.display_dict(),
                    "duplicate": receipt.duplicate}
        with self._transaction() as db:
            db.execute("UPDATE outbox SET state = ?, delivered_at = ?, receipt = ?, last_error = NULL,"
                       " attempts = attempts + 1 WHERE checkin_id = ?",
                       (DELIVERED, self._clock(), self._seal(cid, document), cid))
        log.info("outbox: %s delivered (reference kept encrypted)", cid)
        return DeliveryResult(cid, DELIVERED, receipt)

    def _record_failure(self, cid: str, exc: UpstreamError) -> DeliveryResult:
        error = f"{type(exc).__name__}: {exc}" + (f" [code {exc.code}]" if exc.code else "")
        with self._transaction() as db:
            (attempts,) = db.execute("SELECT attempts FROM outbox WHERE checkin_id = ?", (cid,)).fetchone()
            attempts += 1
            state = PENDING if exc.retryable else FAILED
            delay = self._backoff.delay(attempts, self._rng)
            if exc.retry_after_s is not None:  # the upstream said when: not sooner (and not absurdly later)
                delay = max(delay, min(exc.retry_after_s, MAX_RETRY_AFTER_S))
            next_at = self._clock() + delay
            db.execute("UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?"
                       " WHERE checkin_id = ?", (state, attempts, next_at, error, cid))
        log.warning("outbox: %s attempt %d failed (%s), %s", cid, attempts, error,
                    "will retry" if exc.retryable else "needs staff")
        return DeliveryResult(cid, state, error=error, message_key=exc.message_key, code=exc.code, params=exc.params)

    def next_due_in(self) -> float | None:
        """Seconds until the next pending row is due (0 when one is due now); None when nothing is pending."""
        (at,) = self._db.execute("SELECT MIN(next_attempt_at) FROM outbox WHERE state = ?", (PENDING,)).fetchone()
        return None if at is None else max(0.0, at - self._clock())

    def deliver_due(self, adapters: Callable[[str], Adapter], limit: int = 50) -> list[DeliveryResult]:
        """Deliver every due check-in with the adapter of its profile."""
        return [self.deliver(checkin, adapters(checkin.profile)) for checkin in self.due(limit)]

    def receipt(self, checkin_id: str) -> Receipt | None:
        row = self._db.execute("SELECT receipt FROM outbox WHERE checkin_id = ?", (checkin_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        document = self._open(checkin_id, row[0])
        return Receipt(document["reference"], display_from_dict(document["display"]), document["duplicate"])

    def state(self, checkin_id: str) -> str | None:
        row = self._db.execute("SELECT state FROM outbox WHERE checkin_id = ?", (checkin_id,)).fetchone()
        return row[0] if row else None

    # -- staff operations ---------------------------------------------------------------------------
    def status(self) -> OutboxStatus:
        counts = dict(self._db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        (oldest,) = self._db.execute("SELECT MIN(created_at) FROM outbox WHERE state = ?", (PENDING,)).fetchone()
        return OutboxStatus(counts.get(PENDING, 0), counts.get(DELIVERED, 0), counts.get(FAILED, 0),
                            None if oldest is None else self._clock() - oldest)

    def failures(self) -> list[tuple[str, int, str]]:
        """(check-in id, attempts, last error) of the rows waiting for staff, and of retrying ones."""
        return self._db.execute("SELECT checkin_id, attempts, COALESCE(last_error, '') FROM outbox"
                                " WHERE state != ? ORDER BY created_at", (DELIVERED,)).fetchall()

    def retry(self) -> int:
        """Make failed rows, and pending ones waiting out a backoff, due now."""
        with self._transaction() as db:
            cursor = db.execute("UPDATE outbox SET state = ?, next_attempt_at = ? WHERE state != ?",
                                (PENDING, self._clock(), DELIVERED))
        return cursor.rowcount

    def purge(self, retention_s: float) -> int:
        """Delete delivered rows older than ``retention_s``: personal data is kept no longer than needed."""
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM outbox WHERE state = ? AND delivered_at < ?",
                                (DELIVERED, self._clock() - retention_s))
        return cursor.rowcount
