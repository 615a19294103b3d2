"""`arkiv`: the indexer's commands plus `serve`, which runs the web app."""
from __future__ import annotations

import argparse
import sys

import indexer.cli
from indexer import IndexMissing, IndexSettings, IndexUnavailable, SearchIndex, resolve_archive, \
    resolve_index, update_index

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
THREADS = 8


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (1-65535)")
    return int(text)


def add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web app (search, group histories, documents)")
    p.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port to listen on (default: %(default)s)")
    p.add_argument("--archive", help="archive folder (default: $ARKIV_ARCHIVE, else the sample archive)")
    p.add_argument("--index", help="index folder (default: $ARKIV_INDEX, else beside the archive)")
    p.set_defaults(func=cmd_serve)


def _ensure_index(archive, index_dir) -> None:
    """Build the index first when there is none, so a fresh checkout serves the sample archive."""
    try:
        SearchIndex(archive, index_dir).documents()
        return
    except IndexMissing:
        print(f"No index in {index_dir} yet: indexing {archive} first…", file=sys.stderr)
    except IndexUnavailable as e:
        print(f"arkiv: {e}", file=sys.stderr)
        print("Serving anyway: the pages will say so until the index is rebuilt.", file=sys.stderr)
        return
    report = update_index(IndexSettings(archive=archive, index_dir=index_dir))
    print(f"Indexed {len(report.added)} document(s).", file=sys.stderr)
    if report.failed:
        print(f"{len(report.failed)} file(s) could not be read; `arkiv index` lists them.", file=sys.stderr)


def cmd_serve(args) -> int:
    from . import create_app

    archive = resolve_archive(args.archive)
    index_dir = resolve_index(args.index, archive)
    _ensure_index(archive, index_dir)
    app = create_app({"ARKIV_ARCHIVE": str(archive), "ARKIV_INDEX": str(index_dir)})
    url_host = f"[{args.host}]" if ":" in args.host else args.host
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


def main(argv: list[str] | None = None) -> int:
    return indexer.cli.main(argv, extend=add_serve)


if __name__ == "__main__":
    sys.exit(main())
