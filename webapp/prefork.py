"""`arkiv serve` on POSIX: the web app in gunicorn's pre-fork worker processes behind one port.

The master only binds the port and keeps the workers alive; each worker builds its own app
after the fork (gunicorn's `load()`), so each has its own SearchIndex, searcher and answer
cache, and notices a new committed index state on its next search by itself.
"""
from __future__ import annotations

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from .serving import Site, gunicorn_settings


class Worker(ThreadWorker):
    """gunicorn's gthread worker, told to stop by a flag alone.

    gunicorn's own handlers shut the thread pool down (SIGQUIT, and SIGINT from Ctrl+C) or,
    since 25, queue a wake-up (SIGTERM) inside the signal handler. A signal that lands while
    the main loop holds that same lock, handing a request to the pool, deadlocks the worker
    (CPython issue 121649) until the master kills it after the graceful timeout: here about
    one Ctrl+C in twelve took 30 s. Setting `alive` is all these handlers do; the main loop
    sees it within its one-second poll, stops accepting and finishes the requests in flight.
    """

    def handle_exit(self, sig, frame) -> None:
        self.alive = False

    def handle_quit(self, sig, frame) -> None:
        self.alive = False


class Prefork(BaseApplication):
    """gunicorn's custom application (its documented API): settings in, one app per worker out."""

    def __init__(self, site: Site, workers: int):
        self.site = site
        self.options = gunicorn_settings(site, workers)
        super().__init__(prog="arkiv serve")

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # a setting an older gunicorn lacks is a feature it lacks
                self.cfg.set(key, value)
        self.cfg.set("worker_class", Worker)  # gthread's, with signal handlers that cannot deadlock

    def load(self):
        """Runs in each worker after the fork: the worker's own app, index and caches."""
        from .app import create_app

        return create_app(self.site.app_config())


def serve(site: Site, workers: int) -> int:
    """Run the master until SIGINT (Ctrl+C) or SIGTERM stops it and its workers; its exit code."""
    try:
        Prefork(site, workers).run()
    except SystemExit as e:  # gunicorn's master ends with sys.exit: 0 when stopped, else why not
        return e.code if isinstance(e.code, int) else 1
    return 0
