"""``centric doctor``: check the configuration and what it points at, and say what to fix.

Each check gives OK, WARN (works, but not as it should in production) or FAIL (something
will not work). A deployment whose ``public_url`` is not a loopback address is taken for
production, where a weak secret key or cookies without ``Secure`` become failures.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import smtplib
import ssl
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from centric import i18n
from centric.config import Settings
from centric.db import Database
from centric.ops.checks import Check, check_database, check_migrations, check_queue, check_replica, within

# Values that appear in examples and demos: never a production secret.
KNOWN_SECRETS = frozenset({"change-me", "changeme", "secret", "dev", "demo", "test", "centric", "please-change-me",
                           "your-secret-key", "insecure", "development"})
MIN_SECRET_LENGTH = 32
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", ""})
MIN_FREE_BYTES = 1 << 30
OIDC_SETTINGS = ("oidc_issuer", "oidc_client_id", "oidc_client_secret")


def in_production(settings: Settings) -> bool:
    """Whether respondents reach Centric elsewhere than on this machine (``public_url``'s host)."""
    host = (urlsplit(settings.public_url).hostname or "").lower()
    return host not in LOOPBACK_NAMES and not host.endswith(".localhost")


def diagnose(settings: Settings, db: Database, timeout_s: float = 5.0) -> list[Check]:
    """Every check of ``centric doctor``, in the order printed."""
    production = in_production(settings)
    database = check_database(db, timeout_s)
    checks = [check_secret_key(settings, production), database]
    replica = check_replica(db, timeout_s)
    if replica is not None:
        checks.append(replica)
    checks.append(check_migrations(db, timeout_s) if database.ok else
                  Check("migrations", "fail", i18n._("not checked: database unreachable"),
                        fix=i18n._("Fix the database first.")))
    checks += [check_queue(settings, database, timeout_s), check_workers(settings), check_mail(settings, production),
               check_public_url(settings, production), check_cookies(settings, production), check_oidc(settings),
               check_data_dir(db, settings), check_backup_tools(db)]
    return checks


def check_secret_key(settings: Settings, production: bool) -> Check:
    key = settings.secret_key
    if not key:
        return Check("secret key", "ok", i18n._("generated and kept in the database"),
                     fix=i18n._("Optional: set CENTRIC_SECRET_KEY to sign links with a key you keep elsewhere."))
    weak = key.lower() in KNOWN_SECRETS or len(key) < MIN_SECRET_LENGTH or len(set(key)) < 8
    if not weak:
        return Check("secret key", "ok", i18n._("set (%(n)d characters)") % {"n": len(key)})
    return Check("secret key", "fail" if production else "warn",
                 i18n._("a placeholder or too short (under %(n)d characters)") % {"n": MIN_SECRET_LENGTH},
                 fix=i18n._("Set CENTRIC_SECRET_KEY to a long random value, e.g. the output of: "
                            "python -c \"import secrets; print(secrets.token_urlsafe(48))\""))


def check_workers(settings: Settings) -> Check:
    if settings.queue_url:
        return Check("workers", "ok", i18n._("jobs go to the broker: run centric worker on one or more machines"))
    if settings.job_workers == 0:
        return Check("workers", "warn", i18n._("the web app starts no job worker (CENTRIC_JOB_WORKERS=0)"),
                     fix=i18n._("Run centric worker beside the web app, or set CENTRIC_JOB_WORKERS."))
    return Check("workers", "ok", i18n._("%(n)d worker threads in the web app") % {"n": settings.job_workers})


def _mail_configured(settings: Settings) -> bool:
    return bool({"smtp_host", "smtp_port", "smtp_user", "mail_from"} & settings.model_fields_set)


def check_mail(settings: Settings, production: bool) -> Check:
    """The SMTP settings agree with each other and the server answers (and accepts the login)."""
    fix_server = i18n._("Set CENTRIC_SMTP_HOST and CENTRIC_SMTP_PORT to your mail relay.")
    if settings.smtp_ssl and settings.smtp_starttls:
        return Check("mail", "fail", i18n._("both CENTRIC_SMTP_SSL and CENTRIC_SMTP_STARTTLS are set"),
                     fix=i18n._("Use SMTP_SSL for port 465, STARTTLS for port 587; not both."))
    if bool(settings.smtp_user) != bool(settings.smtp_password):
        return Check("mail", "fail", i18n._("an SMTP user without a password, or a password without a user"),
                     fix=i18n._("Set both CENTRIC_SMTP_USER and CENTRIC_SMTP_PASSWORD, or neither."))
    if "@" not in parseaddr(settings.mail_from)[1]:
        return Check("mail", "fail", i18n._("CENTRIC_MAIL_FROM has no e-mail address"),
                     fix=i18n._("Set CENTRIC_MAIL_FROM, e.g. \"Centric <cx@example.com>\"."))
    server = f"{settings.smtp_host}:{settings.smtp_port}"

    def probe() -> Check:
        _smtp_hello(settings)
        return Check("mail", "ok", i18n._("SMTP server %(server)s answers") % {"server": server})

    def failed(detail: str) -> Check:
        if not _mail_configured(settings):
            return Check("mail", "fail" if production else "warn",
                         i18n._("not configured: invitations, alerts and digests cannot be sent"), detail, fix_server)
        return Check("mail", "fail", i18n._("SMTP server %(server)s does not answer or refuses the login")
                     % {"server": server}, detail, fix_server)

    return within("mail", probe, min(settings.smtp_timeout_s, 10.0) + 1, failed)


def _smtp_hello(settings: Settings) -> None:
    timeout = min(settings.smtp_timeout_s, 10.0)
    client: smtplib.SMTP
    if settings.smtp_ssl:
        client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with client:
        client.ehlo()
        if settings.smtp_starttls:
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password)


def check_public_url(settings: Settings, production: bool) -> Check:
    parts = urlsplit(settings.public_url)
    fix = i18n._("Set CENTRIC_PUBLIC_URL to the address respondents use, e.g. https://cx.example.com")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Check("public URL", "fail", i18n._("%(url)s is not an http(s) address") % {"url": settings.public_url},
                     fix=fix)
    if not production:
        return Check("public URL", "warn", i18n._("%(url)s: links in e-mails work on this machine only")
                     % {"url": settings.public_url}, fix=fix)
    if parts.scheme != "https":
        return Check("public URL", "fail", i18n._("%(url)s is plain HTTP: survey links and logins travel unencrypted")
                     % {"url": settings.public_url}, fix=i18n._("Serve Centric over HTTPS behind a reverse proxy "
                                                                "and set CENTRIC_PUBLIC_URL to the https:// address."))
    return Check("public URL", "ok", settings.public_url)


def check_cookies(settings: Settings, production: bool) -> Check:
    try:
        proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
        for proxy in proxies:
            if proxy != "*":
                ipaddress.ip_network(proxy, strict=False)
    except ValueError as exc:
        return Check("cookies", "fail", i18n._("CENTRIC_TRUSTED_PROXIES is not a list of addresses: %(e)s")
                     % {"e": exc}, fix=i18n._("List the reverse proxies' addresses, comma-separated."))
    if settings.cookie_secure:
        return Check("cookies", "ok", i18n._("always Secure"))
    if production and urlsplit(settings.public_url).scheme == "https":
        return Check("cookies", "warn" if proxies else "fail",
                     i18n._("Secure only when the app sees HTTPS (from the proxies in CENTRIC_TRUSTED_PROXIES)"),
                     fix=i18n._("Set CENTRIC_COOKIE_SECURE=true: the public address is HTTPS."))
    return Check("cookies", "ok", i18n._("Secure on HTTPS answers"))


def check_oidc(settings: Settings) -> Check:
    """Single sign-on needs its issuer, client id and client secret together, or none of them."""
    values = {"oidc_issuer": settings.oidc_issuer, "oidc_client_id": settings.oidc_client_id,
              "oidc_client_secret": settings.oidc_client_secret}
    given = [name for name, value in values.items() if value]
    if not given:
        return Check("single sign-on", "ok", i18n._("not configured (password login)"))
    if len(given) < len(OIDC_SETTINGS):
        missing = ", ".join(f"CENTRIC_{n.upper()}" for n in OIDC_SETTINGS if n not in given)
        return Check("single sign-on", "fail", i18n._("incomplete: %(missing)s not set") % {"missing": missing},
                     fix=i18n._("Set the issuer, client id and client secret together, or none of them."))
    issuer = urlsplit(values["oidc_issuer"])
    if issuer.scheme != "https" and issuer.hostname not in LOOPBACK_NAMES:
        return Check("single sign-on", "fail", i18n._("the issuer must be an https:// address"),
                     fix=i18n._("Set CENTRIC_OIDC_ISSUER to the identity provider's https:// issuer URL."))
    return Check("single sign-on", "ok", i18n._("issuer %(issuer)s") % {"issuer": values["oidc_issuer"]})


def check_data_dir(db: Database, settings: Settings) -> Check:
    """The SQLite database's folder (the database and its write-ahead log) is writable and has room."""
    if db.dialect != "sqlite":
        return Check("data folder", "ok", i18n._("none needed (PostgreSQL)"))
    name = make_url(db.url).database or ""
    folder = Path(name).resolve().parent if name and name != ":memory:" else Path.cwd()
    fix = i18n._("Make %(folder)s writable by the user running Centric.") % {"folder": folder}
    if not folder.is_dir():
        return Check("data folder", "fail", i18n._("%(folder)s does not exist") % {"folder": folder}, fix=fix)
    if not os.access(folder, os.W_OK | os.X_OK):
        return Check("data folder", "fail", i18n._("%(folder)s is not writable") % {"folder": folder}, fix=fix)
    free = shutil.disk_usage(folder).free
    where = {"folder": folder, "gib": f"{free / (1 << 30):.1f}"}
    if free < MIN_FREE_BYTES:
        return Check("data folder", "warn", i18n._("%(folder)s: only %(gib)s GiB free") % where,
                     fix=i18n._("Free disk space: SQLite needs room for its log and for backups."))
    return Check("data folder", "ok", i18n._("%(folder)s writable, %(gib)s GiB free") % where)


def check_backup_tools(db: Database) -> Check:
    if db.dialect == "sqlite":
        return Check("backup", "ok", i18n._("SQLite online backup (built in)"))
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        return Check("backup", "warn", i18n._("%(tools)s not found on PATH: centric backup cannot run")
                     % {"tools": ", ".join(missing)},
                     fix=i18n._("Install the PostgreSQL client programs (the server's major version or newer)."))
    return Check("backup", "ok", i18n._("pg_dump and pg_restore found"))
