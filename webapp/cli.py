"""`arkiv`: the indexer's commands plus `serve`, which runs the web app, and `user` for its accounts."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from indexer import CliCommand, cli_main, resolve_archive, resolve_index

from . import serving

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"”{text}” är inget portnummer (1-65535)")
    return int(text)


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"”{text}” är inget antal arbetsprocesser (1 eller fler)")
    return int(text)


def serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=DEFAULT_HOST, help="adressen att lyssna på (standard: %(default)s)")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help="porten att lyssna på (standard: %(default)s)")
    p.add_argument("--workers", type=_workers, metavar="N",
                   help="arbetsprocesser bakom porten, var och en med egen sökning och egna sparade svar "
                        f"(standard: en per kärna, {serving.cores()} här)")
    p.add_argument("--server", choices=serving.SERVERS, default="auto",
                   help="gunicorn: en huvudprocess och N förgrenade arbetsprocesser (bara POSIX); waitress: "
                        f"en process med {serving.WAITRESS_THREADS} trådar; auto (standard): gunicorn där "
                        "den kan köras, annars waitress")


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
        print(f"Inget index i {index_dir} än: indexerar {archive} först…", file=sys.stderr)
    except IndexUnavailable as e:
        print(f"arkiv: sökindexet kan inte användas: {e}", file=sys.stderr)
        print("Startar ändå: sidorna säger det tills indexet är ombyggt.", file=sys.stderr)
        return
    finally:
        index.close()
    report = update_index(IndexSettings(archive=archive, index_dir=index_dir))
    print(f"Indexerade {len(report.added)} dokument.", file=sys.stderr)
    if report.failed:
        print(f"{len(report.failed)} fil(er) kunde inte läsas; `arkiv index` listar dem.", file=sys.stderr)


def _say_accounts(users) -> None:
    from .accounts import AccountError

    try:
        if not users.names():
            print(f"Inga samordnarkonton än: `arkiv user add NAMN` skapar ett ({users.path}).", file=sys.stderr)
    except AccountError as e:
        print(f"arkiv: {e}", file=sys.stderr)


def cmd_serve(args) -> int:
    from .app import create_app

    archive = resolve_archive(args.archive)
    index_dir = resolve_index(args.index, archive)
    server = serving.choose_server(args.server, args.workers)
    serving.check_port(args.host, args.port)  # before indexing: a taken port is known at once
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
        print("waitress är inte installerat: Werkzeugs utvecklingsserver används i stället", file=sys.stderr)
        from werkzeug.serving import run_simple

        run_simple(site.host, site.port, app, threaded=True)
        return 0
    waitress.serve(app, host=site.host, port=site.port, threads=serving.WAITRESS_THREADS,
                   ident="Natverksarkivet")
    return 0


# -- arkiv user ------------------------------------------------------------------------
def _read_password(args) -> str:
    from .accounts import AccountError

    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass(f"Lösenord för {args.name}: ")
    if getpass.getpass("Igen: ") != first:
        raise AccountError("de två lösenorden skiljer sig åt; ingenting ändrades")
    return first


def cmd_user(args) -> int:
    from indexer import Change, cli_user, record_change

    from .accounts import AccountError, Accounts, users_file  # Argon2: only accounts need it

    archive = resolve_archive(args.archive)
    if not (archive / "arkiv.toml").is_file():
        # The accounts sit beside the archive and every change is logged in it.
        raise AccountError(f"{archive} är inget arkiv (ingen arkiv.toml); ange vilket med --archive")
    store = Accounts(users_file(archive, args.users or os.environ.get("ARKIV_USERS")))
    if args.action == "add":
        name = store.add(args.name, _read_password(args))
        print(f"Kontot ”{name}” finns nu i {store.path}; logga in på /login.")
    elif args.action == "passwd":
        if store.get(args.name) is None:
            raise AccountError(f"det finns inget konto som heter ”{args.name}”")
        name = store.set_password(args.name, _read_password(args))
        print(f"Lösenordet för ”{name}” är bytt; kontots öppna inloggningar är utloggade.")
    else:
        name = store.remove(args.name)
        print(f"Kontot ”{name}” är borttaget; dess öppna inloggningar är utloggade.")
    record_change(archive, Change(f"user-{args.action}", cli_user(), file=name))
    return 0


def user_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("add", "passwd", "remove"))
    p.add_argument("name", metavar="NAMN")
    p.add_argument("--password-stdin", action="store_true", help="läs lösenordet från standard in")
    p.add_argument("--users", metavar="FIL", help="kontofilen (standard: $ARKIV_USERS, annars bredvid arkivet)")


SERVE_DESCRIPTION = (
    "Kör webbappen på --host och --port. På Linux och andra POSIX-system körs den i gunicorn: en "
    "huvudprocess som håller porten och --workers N arbetsprocesser (standard: en per kärna), var "
    f"och en med {serving.THREADS} trådar och egen sökning. En arbetsprocess som hänger byts ut, och "
    f"varje arbetsprocess efter ungefär {serving.MAX_REQUESTS:,} anrop".replace(",", " ") + ". Alla svarar "
    "från det senaste indexet efter `arkiv index`, utan omstart. Där det inte går att förgrena "
    f"processer (Windows), eller med --server waitress, svarar en process med {serving.WAITRESS_THREADS} "
    "trådar. Indexet byggs först om det inte finns. En upptagen port sägs direkt (slutkod 1): välj "
    "en annan med --port. Ctrl+C eller SIGTERM stoppar den inom ett par sekunder, när öppna anrop "
    f"är besvarade (högst {serving.GRACEFUL_TIMEOUT} s)."
)

COMMANDS = (
    CliCommand("serve", "kör webbappen (sökning, gruppernas historik, dokument)", cmd_serve, serve_arguments,
               description=SERVE_DESCRIPTION),
    CliCommand("user", "lägg till, ändra eller ta bort ett samordnarkonto", cmd_user, user_arguments,
               description="Samordnarkonton för webbappen, i en fil bredvid arkivet (<arkiv>-users.json, "
                           "eller --users / $ARKIV_USERS), lösenorden hashade med Argon2. Lösenordet frågas "
                           "efter två gånger, eller läses från första raden på standard in med "
                           "--password-stdin.",
               locations=("archive",)),
)


def main(argv: list[str] | None = None) -> int:
    return cli_main(argv, commands=COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
