"""A throwaway PostgreSQL cluster for tests and benchmarks: ``initdb`` in a temporary folder, listening on a
Unix socket only (no TCP port), stopped and deleted on exit.

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` system user (Debian's
``postgresql`` package creates it) through ``runuser``. :func:`find_bin_dir` finds the server binaries
(``initdb``, ``pg_ctl``, ``postgres``) on the path or in Debian's ``/usr/lib/postgresql/<version>/bin``;
:class:`ClusterUnavailable` says why a cluster cannot be had here.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from kiosk.errors import KioskError

SERVER_USER = "postgres"


class ClusterUnavailable(KioskError):
    """No PostgreSQL server can be started on this machine (binaries or the server user missing)."""


def find_bin_dir() -> Path | None:
    for name in ("pg_ctl",):
        found = shutil.which(name)
        if found and (Path(found).resolve().parent / "initdb").exists():
            return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return versions[-1].parent if versions else None


class TemporaryCluster:
    """``with TemporaryCluster() as cluster: cluster.url`` — a libpq URL for database ``site``."""

    def __init__(self, *, database: str = "site", options: dict[str, str] | None = None) -> None:
        self.bin_dir = find_bin_dir()
        if self.bin_dir is None:
            raise ClusterUnavailable("PostgreSQL server binaries not found (Debian: apt-get install postgresql)")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                self._server_user = pwd.getpwnam(SERVER_USER)
            except KeyError as exc:
                raise ClusterUnavailable(f"running as root needs the {SERVER_USER!r} system user") from exc
        self.database = database
        self.options = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                        "max_connections": "50", "shared_buffers": "32MB", **(options or {})}
        self.root: Path | None = None

    @property
    def data(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.root is not None
        return self.root / "socket"

    @property
    def user(self) -> str:
        return SERVER_USER if self.as_root else pwd.getpwuid(os.geteuid()).pw_name

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@/{self.database}?host={self.socket_dir}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> TemporaryCluster:
        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
            self.socket_dir.mkdir()
            if self.as_root:
                for path in (self.root, self.socket_dir):
                    os.chown(path, self._server_user.pw_uid, self._server_user.pw_gid)
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", self.user, "-E", "UTF8",
                      "--locale=C", "--no-sync")
        settings = " ".join(f"-c {k}={v}" for k, v in self.options.items())
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.root / "server.log"),
                  "-o", f"-c listen_addresses='' -k {self.socket_dir} {settings}", "start")
        if not (self.root / ".created").exists():
            self._run("createdb", "-h", str(self.socket_dir), "-U", self.user, self.database)
            (self.root / ".created").touch()
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown); the data stays, so :meth:`start` brings the same cluster back."""
        if self.root is not None:
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop", check=False)

    def close(self) -> None:
        self.stop()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> TemporaryCluster:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()
