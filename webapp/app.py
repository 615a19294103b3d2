"""create_app: the Flask app with its blueprints, template filters, error pages and headers."""
from __future__ import annotations

import os

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException, SecurityError

from indexer import ArkivError, ConfigError, IndexMissing, IndexUnavailable, MailSettings, resolve_archive, \
    resolve_index

from . import formatting
from .alerts import init_alerts
from .archive import get_index, init_archive
from .auth import init_auth
from .headers import security_headers
from .manage import bp as manage_bp
from .upload import bp as upload_bp
from .views import bp

DEFAULT_MAX_REQUEST = 300 * 1024 * 1024  # MAX_CONTENT_LENGTH: one upload request, all files together
# Settings of ours that the environment gives with the ARKIV_ prefix (see webapp/auth.py).
PREFIXED_SETTINGS = ("USERS", "PRIVATE", "SECURE_COOKIES", "MAX_FILE_SIZE", "SECRET_KEY_FILE")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(ARKIV_ARCHIVE=None, ARKIV_INDEX=None, MAX_CONTENT_LENGTH=DEFAULT_MAX_REQUEST)
    app.config.from_prefixed_env("ARKIV")
    for key in PREFIXED_SETTINGS:  # ARKIV_PRIVATE=true in the environment arrives as PRIVATE
        if key in app.config:
            app.config[f"ARKIV_{key}"] = app.config.pop(key)
    if test_config:
        app.config.from_mapping(test_config)
    app.json.sort_keys = False  # facet values are ordered: most frequent first
    app.json.ensure_ascii = False

    archive = resolve_archive(_str(app.config["ARKIV_ARCHIVE"]))
    index_dir = resolve_index(_str(app.config["ARKIV_INDEX"]), archive)
    init_archive(app, archive, index_dir)
    # No redirects built from the Host header a client sent (Werkzeug's slash merging
    # answered Host: evil.example with a 308 to it); TRUSTED_HOSTS refuses other hosts.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    # $ARKIV_TRUSTED_HOSTS arrives as Flask's own TRUSTED_HOSTS: "a.example, b.example".
    hosts = app.config.get("ARKIV_TRUSTED_HOSTS") or app.config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        hosts = [h.strip() for h in hosts.split(",") if h.strip()]
    app.config["TRUSTED_HOSTS"] = hosts or None
    app.register_blueprint(bp)
    app.before_request(_bounded_form)  # before CSRFProtect, which reads the form
    init_auth(app, archive)  # sign-in, CSRF on every form that changes anything
    app.register_blueprint(upload_bp)
    app.register_blueprint(manage_bp)
    init_alerts(app, archive, _mail_settings(app, test_config))
    _register_filters(app)
    _register_errors(app)
    app.after_request(security_headers)
    return app


# The environment's mail settings, read by MailSettings.from_environ and kept out of app.config
# (from_prefixed_env would have put the SMTP password there, parsed as JSON).
MAIL_KEYS = ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "MAIL_FROM")


def _mail_settings(app: Flask, test_config: dict | None) -> MailSettings | None:
    """ARKIV_MAIL from test_config (a MailSettings or None), else the environment's ARKIV_SMTP_*."""
    for key in MAIL_KEYS:
        app.config.pop(key, None)
    if test_config and "ARKIV_MAIL" in test_config:
        return test_config["ARKIV_MAIL"]
    return MailSettings.from_environ(os.environ)


def _bounded_form() -> None:
    """Refuse an urlencoded body over MAX_FORM_MEMORY_SIZE before it is read.

    Werkzeug reads such a body whole and holds its decoded fields (its form limit covers
    multipart only), so a 300 MB title would otherwise cost a gigabyte before any check.
    """
    if request.mimetype == "application/x-www-form-urlencoded" and \
            (request.content_length or 0) > current_app.config["MAX_FORM_MEMORY_SIZE"]:
        abort(413)


def _str(value) -> str | None:
    return str(value) if value else None


def _register_filters(app: Flask) -> None:
    app.add_template_filter(formatting.sv_date, "sv_date")
    app.add_template_filter(formatting.type_label, "type_label")
    app.add_template_filter(formatting.format_label, "format_label")
    app.add_template_filter(formatting.file_size, "file_size")
    app.add_template_filter(formatting.source_label, "source_label")
    app.add_template_filter(formatting.status_label, "status_label")
    app.add_template_filter(_sv_datetime, "sv_datetime")
    app.add_template_filter(formatting.iso_sv_date, "iso_sv_date")
    app.jinja_env.globals["set_by_person"] = formatting.SET_BY_PERSON

    @app.context_processor
    def archive_context():
        if app.config.get("ARKIV_PRIVATE") and not current_user.is_authenticated:
            return {"archive_config": None}  # private: nothing of arkiv.toml before signing in
        try:
            config = get_index(app).config
        except ArkivError:
            config = None
        return {"archive_config": config}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error(status: int, title: str, message: str, hint: str | None = None, command: str | None = None):
    if _wants_json():
        error = f"{message} Kör `{command}`." if command else message
        return jsonify({"error": error}), status
    return render_template("error.html", status=status, title=title, message=message, hint=hint,
                           command=command), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(IndexMissing)
    def index_missing(e):
        return _error(503, "Arkivet har inget sökindex ännu",
                      "Arkivet har inte indexerats än, så det finns inget att söka i.",
                      command="arkiv index")

    @app.errorhandler(IndexUnavailable)
    def index_unavailable(e):
        return _error(503, "Sökindexet kan inte användas",
                      "Sökindexet kan inte öppnas: det behöver byggas om.",
                      command="arkiv index")

    @app.errorhandler(ConfigError)
    def config_error(e):
        return _error(503, "Arkivet kan inte läsas",
                      "Arkivets inställningsfil arkiv.toml saknas eller är felaktig.",
                      "Kontrollera arkiv.toml i arkivmappen och ladda sedan om sidan.")

    @app.errorhandler(SecurityError)
    def untrusted_host(e):
        # No page: every link on one is built for a host this site is not (TRUSTED_HOSTS).
        return "Okänd värd: den här webbplatsen svarar inte på den adressen.\n", 400, \
            {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        if e.code == 404:
            return _error(404, "Sidan finns inte",
                          "Det finns ingen sida eller inget dokument på den här adressen.",
                          "Dokumentet kan ha flyttats eller tagits bort. Sök efter det i stället.")
        if e.code == 400:
            return _error(400, "Felaktig sökning", e.description or "Sökningen kunde inte förstås.",
                          "Ändra sökningen eller börja om.")
        if e.code == 405:
            return _error(405, "Det går inte att göra så här", "Adressen tar inte emot den sortens anrop.")
        return _error(e.code or 500, e.name, e.description or e.name)

    @app.errorhandler(409)
    def conflict(e):
        return _error(409, "Ändringen kunde inte göras", e.description or "Arkivet har ändrats under tiden.",
                      "Ladda om sidan och försök igen. Ingenting ändrades.")

    @app.errorhandler(413)
    def too_large(e):
        if request.blueprint != "upload":  # a form of text fields (Werkzeug's MAX_FORM_MEMORY_SIZE)
            return _error(413, "Formuläret är för stort",
                          "Det du skickade är för långt för att tas emot. Ingenting ändrades.",
                          "Gå tillbaka och korta texten.")
        limit = app.config.get("MAX_CONTENT_LENGTH")
        size = f" Gränsen är {formatting.file_size(limit)} per uppladdning." if limit else ""
        return _error(413, "Filerna är för stora",
                      f"Det du försökte ladda upp är för stort för att tas emot.{size} Ingenting sparades.",
                      "Ladda upp färre filer åt gången, eller gör filerna mindre.")

    @app.errorhandler(Exception)
    def unexpected(e):
        app.logger.exception("unexpected error on %s", request.path)
        return _error(500, "Något gick fel", "Ett oväntat fel inträffade. Försök igen om en stund.")


def _sv_datetime(value) -> str:
    """10 oktober 2023 kl. 14.05, in the server's local time."""
    local = value.astimezone()
    return f"{formatting.sv_date(local.date())} kl. {local:%H.%M}"
