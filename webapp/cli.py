"""`arkiv`: the indexer's commands plus `serve`, which runs the web app, and `user` for its accounts."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from indexer import Change, CliCommand, cli_main, cli_user, record_change, resolve_archive, resolve_index

from . import serving
from .accounts import AccountError, Accounts, users_file

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (1-65535)")
    return int(text)


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of worker processes (1 or more)")
    return int(text)


def serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port to listen on (default: %(default)s)")
    p.add_argument("--workers", type=_workers, metavar="N",
                   help="worker processes behind the port, each with its own searcher and remembered "
                        f"answers (default: one per core, {serving.cores()} here)")
    p.add_argument("--server", choices=serving.SERVERS, default="auto",
                   help="gunicorn: a master and N pre-forked workers (POSIX only); waitress: one "
                        f"process with {serving.WAITRESS_THREADS} threads; auto (default): gunicorn "
                        "where it can run, else waitress")


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


def _say_accounts(users: Accounts) -> None:
    try:
        if not users.names():
            print(f"No coordinator accounts yet: `arkiv user add NAME` makes one ({users.path}).", file=sys.stderr)
    except AccountError as e:
        print(f"arkiv: {e}", file=sys.stderr)


def cmd_serve(args) -> int:
    from .app import create_app

    archive = resolve_archive(args.archive)
    index_dir = resolve_index(args.index, archive)
    server = serving.choose_server(args.server, args.workers)
    _ensure_index(archive, index_dir)
    site = serving.Site(archive, index_dir, args.host, args.port)
    # The app waitress serves; for gunicorn, the master's check before it forks: a setting that
    # cannot work (the secret key's folder, say) is one clear line here rather than a traceback
    # from every worker, and the secret key is made once. It opens no index (a first search
    # does), and each worker makes an app of its own.
    app = create_app(site.app_config())
    _say_accounts(app.extensions["arkiv-accounts"])
    if server == "gunicorn":
        from .prefork import serve

        del app
        return serve(site, args.workers or serving.cores())
    return _serve_waitress(site, app)


def _serve_waitress(site: serving.Site, app) -> int:
    from .archive import warm

    warm(app)
    print(site.startup_line(), file=sys.stderr)
    try:
        import waitress
    except ImportError:  # pragma: no cover - waitress is a dependency; this keeps a broken install usable
        print("waitress is not installed: using Werkzeug's development server instead", file=sys.stderr)
        from werkzeug.serving import run_simple

        run_simple(site.host, site.port, app, threaded=True)
        return 0
    waitress.serve(app, host=site.host, port=site.port, threads=serving.WAITRESS_THREADS,
                   ident="Natverksarkivet")
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


SERVE_DESCRIPTION = (
    "Run the web app on --host and --port. On Linux and other POSIX systems it runs in gunicorn: "
    "a master process that holds the port and --workers N worker processes (default: one per "
    f"core), each with {serving.THREADS} threads and its own searcher and remembered answers. A "
    f"worker that hangs is replaced, and so is each worker after about {serving.MAX_REQUESTS:,} "
    "requests. Every worker answers from the newest committed index after `arkiv index`, without a "
    f"restart. Where there is no fork (Windows), or with --server waitress, one process serves with "
    f"{serving.WAITRESS_THREADS} threads. The index is built first when there is none. Ctrl+C or "
    f"SIGTERM stops it in a second or two, once open requests are answered (at most "
    f"{serving.GRACEFUL_TIMEOUT} s)."
)

COMMANDS = (
    CliCommand("serve", "run the web app (search, group histories, documents)", cmd_serve, serve_arguments,
               description=SERVE_DESCRIPTION),
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
