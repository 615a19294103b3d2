"""`arkiv`: the indexer's commands plus `serve`, which runs the web app, and `user` for its accounts."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from indexer import Change, CliCommand, cli_main, cli_user, record_change, resolve_archive, resolve_index

from .accounts import AccountError, Accounts, users_file

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
THREADS = 8


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (1-65535)")
    return int(text)


def serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port to listen on (default: %(default)s)")


def _ensure_index(archive, index_dir) -> None:
    """Build the index first when there is none, so a fresh checkout serves the sample archive.

    The index opened for the check is closed again, not left to the garbage collector: a
    server that forks workers after this must not hand them its open index files.
    """
    from indexer import IndexMissing, IndexSettings, IndexUnavailable, SearchIndex, update_index

    index = SearchIndex(archive, index_dir)
    try:
        index.documents()
        return
    except IndexMissing:
        print(f"No index in {index_dir} yet: indexing {archive} first…", file=sys.stderr)
    except IndexUnavailable as e:
        print(f"arkiv: {e}", file=sys.stderr)
        print("Serving anyway: the pages will say so until the index is rebuilt.", file=sys.stderr)
        return
    finally:
        index.close()
    report = update_index(IndexSettings(archive=archive, index_dir=index_dir))
    print(f"Indexed {len(report.added)} document(s).", file=sys.stderr)
    if report.failed:
        print(f"{len(report.failed)} file(s) could not be read; `arkiv index` lists them.", file=sys.stderr)


def cmd_serve(args) -> int:
    from .app import create_app

    archive = resolve_archive(args.archive)
    index_dir = resolve_index(args.index, archive)
    _ensure_index(archive, index_dir)
    app = create_app({"ARKIV_ARCHIVE": str(archive), "ARKIV_INDEX": str(index_dir)})
    url_host = f"[{args.host}]" if ":" in args.host else args.host
    users = app.extensions["arkiv-accounts"]
    try:
        if not users.names():
            print(f"No coordinator accounts yet: `arkiv user add NAME` makes one ({users.path}).", file=sys.stderr)
    except AccountError as e:
        print(f"arkiv: {e}", file=sys.stderr)
    print(f"Nätverksarkivet: http://{url_host}:{args.port}/  (archive {archive}; Ctrl+C stops)", file=sys.stderr)
    try:
        import waitress
    except ImportError:  # pragma: no cover - waitress is a dependency; this keeps a broken install usable
        print("waitress is not installed: using Werkzeug's development server instead", file=sys.stderr)
        from werkzeug.serving import run_simple

        run_simple(args.host, args.port, app, threaded=True)
        return 0
    waitress.serve(app, host=args.host, port=args.port, threads=THREADS, ident="Natverksarkivet")
    return 0


# -- arkiv user ------------------------------------------------------------------------
def _read_password(args) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        raise AccountError("the two passwords differ; nothing was changed")
    return first


def cmd_user(args) -> int:
    archive = resolve_archive(args.archive)
    if not (archive / "arkiv.toml").is_file():
        # The accounts sit beside the archive and every change is logged in it.
        raise AccountError(f"{archive} is not an archive (no arkiv.toml); say which with --archive")
    store = Accounts(users_file(archive, args.users or os.environ.get("ARKIV_USERS")))
    if args.action == "add":
        name = store.add(args.name, _read_password(args))
        print(f"Added the account '{name}' to {store.path}; sign in at /login.")
    elif args.action == "passwd":
        if store.get(args.name) is None:
            raise AccountError(f"there is no account named '{args.name}'")
        name = store.set_password(args.name, _read_password(args))
        print(f"Changed the password of '{name}'; its open sessions are signed out.")
    else:
        name = store.remove(args.name)
        print(f"Removed the account '{name}'; its open sessions are signed out.")
    record_change(archive, Change(f"user-{args.action}", cli_user(), file=name))
    return 0


def user_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("add", "passwd", "remove"))
    p.add_argument("name", metavar="NAME")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--users", help="accounts file (default: $ARKIV_USERS, else beside the archive)")


COMMANDS = (
    CliCommand("serve", "run the web app (search, group histories, documents)", cmd_serve, serve_arguments),
    CliCommand("user", "add, change or remove a coordinator account", cmd_user, user_arguments,
               description="Coordinator accounts for the web app, kept in a file beside the archive "
                           "(<archive>-users.json, or --users / $ARKIV_USERS), passwords hashed with "
                           "Argon2. The password is asked for twice, or read from the first line of "
                           "standard input with --password-stdin.",
               locations=("archive",)),
)


def main(argv: list[str] | None = None) -> int:
    return cli_main(argv, commands=COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
