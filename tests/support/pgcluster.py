"""A throwaway PostgreSQL cluster on a free loopback port, for the demo and the end-to-end tests.

    python -m tests.support.pgcluster start [--dir DIR]   # prints: POSTGRES READY <url> <dir>
    python -m tests.support.pgcluster stop DIR

The cluster lives in a temporary folder (data, socket and log), trusts local connections and is
thrown away by `stop`. PostgreSQL refuses to run as root, so as root the server binaries run as
the `postgres` user that Debian's `postgresql` package creates.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATABASE = "warehouse"
INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH or under "
    "/usr/lib/postgresql/*/bin. Install them, e.g. `sudo apt-get install postgresql` (Debian/Ubuntu), "
    "`sudo dnf install postgresql-server` (Fedora) or `brew install postgresql` (macOS), "
    "or give a server's URL in TAP_AMAZON_SP_E2E_POSTGRES_URL."
)


class PostgresUnavailable(RuntimeError):
    """The cluster cannot be made on this machine; the message says what to install or change."""


def find_bindir(path: str | None = None, candidates: list[str] | None = None) -> Path:
    """The folder holding initdb and pg_ctl: PATH first, then the distributions' versioned folders."""
    on_path = shutil.which("initdb", path=path)
    if on_path and shutil.which("pg_ctl", path=path):
        return Path(os.path.realpath(on_path)).parent
    if candidates is None:
        candidates = glob.glob("/usr/lib/postgresql/*/bin") + glob.glob("/usr/pgsql-*/bin")
        candidates += ["/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin"]

    def version(path: str) -> tuple[int, ...]:
        digits = "".join(c if c.isdigit() else " " for c in path).split()
        return tuple(int(d) for d in digits)

    for folder in sorted(candidates, key=version, reverse=True):
        if Path(folder, "initdb").is_file() and Path(folder, "pg_ctl").is_file():
            return Path(folder)
    raise PostgresUnavailable(INSTALL_HINT)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable(
            "running as root, and PostgreSQL refuses to run as root: no `postgres` user exists to run it "
            "(the distribution's postgresql package creates one; or run as an ordinary user)"
        ) from None
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *command]
    return ["su", "-s", "/bin/sh", "postgres", "-c", " ".join(_quote(c) for c in command)]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _run(command: list[str], what: str, log: Path | None = None) -> None:
    proc = subprocess.run(_as_server_user(command), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip()[-1500:]
        if log is not None and log.exists():
            tail += "\n" + log.read_text(errors="replace")[-1500:]
        raise PostgresUnavailable(f"{what} failed (exit {proc.returncode}): {tail}")


class PostgresCluster:
    """One temporary cluster: `start()` returns its SQLAlchemy URL, `stop()` removes everything."""

    def __init__(self, root: Path | None = None) -> None:
        self.bindir = find_bindir()
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="tap-amazon-sp-pg-"))
        self.port = 0

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = DATABASE) -> str:
        # Trust authentication ignores the password; target-postgres insists on having one.
        return f"postgresql+psycopg://postgres:postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0 and _has_postgres_user():
            import pwd

            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        _run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            "initdb",
        )
        for attempt in range(3):
            self.port = free_port()
            options = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                _run(
                    [
                        str(self.bindir / "pg_ctl"),
                        "-D",
                        str(self.data),
                        "-l",
                        str(self.log),
                        "-o",
                        options,
                        "-w",
                        "-t",
                        "60",
                        "start",
                    ],
                    "pg_ctl start",
                    self.log,
                )
                break
            except PostgresUnavailable:
                if attempt == 2:  # another process took the port between our probe and the start
                    raise
        self.create_database(DATABASE)
        return self.url()

    def create_database(self, name: str) -> None:
        createdb = self.bindir / "createdb"
        command = [str(createdb), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name]
        proc = subprocess.run(command, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise PostgresUnavailable(f"createdb {name} failed: {proc.stderr.strip()}")

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(
                _as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)


def _has_postgres_user() -> bool:
    try:
        import pwd

        pwd.getpwnam("postgres")
        return True
    except KeyError:
        return False


def stop_dir(root: Path) -> None:
    """Stop the cluster in `root` (made by `start`) and remove the folder."""
    cluster = PostgresCluster.__new__(PostgresCluster)
    cluster.root = Path(root)
    cluster.port = 0
    try:
        cluster.bindir = find_bindir()
    except PostgresUnavailable:
        shutil.rmtree(root, ignore_errors=True)
        return
    cluster.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.pgcluster", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="make and start a cluster; prints POSTGRES READY <url> <dir>")
    start.add_argument("--dir", type=Path, help="folder for the cluster (default: a new temporary folder)")
    stop = sub.add_parser("stop", help="stop the cluster in DIR and delete DIR")
    stop.add_argument("dir", type=Path)
    args = parser.parse_args(argv)
    if args.command == "stop":
        stop_dir(args.dir)
        return 0
    began = time.monotonic()
    try:
        cluster = PostgresCluster(args.dir)
        url = cluster.start()
    except PostgresUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    print(f"POSTGRES READY {url} {cluster.root}", flush=True)
    print(f"PostgreSQL from {cluster.bindir} started in {time.monotonic() - began:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
