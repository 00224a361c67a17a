"""One explicit settings object, read from ``CENTRIC_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: ``<checkout>/../shared/data``: where a development checkout finds the shared data sets.
_CHECKOUT_SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


class Settings(BaseSettings):
    """Runtime configuration. Pass it around; never read the environment elsewhere."""

    model_config = SettingsConfigDict(env_prefix="CENTRIC_", env_file=None, extra="ignore")

    database_url: str = "sqlite:///centric.db"
    database_replica_url: str = Field(
        default="", description="A read replica of the database (PostgreSQL streaming replica) that dashboards and "
                                "exports read from; empty: everything reads from the primary.")
    replica_lag_s: int = Field(default=5, ge=0, le=3600,
                               description="After a browser's write, its reads stay on the primary this long.")
    # Connections each process keeps open (PostgreSQL: each is a server process). With N web processes
    # and M workers the server needs (N + M) × (db_pool_size + db_max_overflow) connections, plus a few
    # for maintenance, within its max_connections (docs/scale.md).
    db_pool_size: int = Field(default=40, ge=1, le=500, description="Pooled database connections per process.")
    db_max_overflow: int = Field(default=10, ge=0, le=500,
                                 description="Connections opened beyond the pool at peaks (closed after use).")
    db_pgbouncer: bool = Field(
        default=False, description="PostgreSQL is reached through PgBouncer in transaction pooling mode: "
                                   "no server-side prepared statements (docs/scale.md).")
    submit_batch_max: int = Field(
        default=100, ge=1, le=10_000,
        description="Most survey pages stored in one transaction (group commit); 1 stores each alone.")
    secret_key: str = Field(default="", description="Signs links; generated and stored in the database when empty.")
    max_text_length: int = 20_000
    text_model: Literal["fast", "accurate"] = Field(
        default="fast", description="Sentiment model for stored feedback: fast (linear, about 2,000+ texts/s) or "
                                    "accurate (sentence embeddings, slower); a switch makes every stored item stale.")
    max_body_bytes: int = 5_000_000
    session_max_age_s: int = 12 * 3600
    cookie_secure: bool = Field(default=False, description="Secure cookies even over plain HTTP answers.")
    trusted_proxies: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; empty: none. Anyone else's are ignored.",
    )
    hsts_max_age_s: int = Field(default=31_536_000, ge=0,
                                description="Strict-Transport-Security max-age on HTTPS answers; 0: no header.")
    # Observability (docs/operations.md): logs, /metrics, tracing.
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto", description="Log lines as JSON objects or text; auto: text in a terminal, JSON otherwise.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", description="Lowest level logged.")
    otel_endpoint: str = Field(
        default="", validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
        description="OpenTelemetry collector (OTLP/HTTP); set, with the 'otel' extra installed, to trace requests.")
    metrics_token: str = Field(
        default="", description="Bearer token that lets a scraper read /metrics from anywhere; without it only "
                                "direct loopback requests (no proxy headers) may.")
    # Throttling of failed logins (per account and per address) and invalid API tokens (per address).
    login_max_failures: int = Field(default=5, ge=1, description="Failed logins that lock an account.")
    login_address_max_failures: int = Field(
        default=20, ge=1, description="Failed logins that lock a client address (higher: offices share one).")
    login_lock_s: int = Field(default=900, ge=1, description="First lock; doubles with each further failure.")
    login_lock_max_s: int = Field(default=86_400, ge=1, description="The longest lock.")
    login_failure_window_s: int = Field(default=3600, ge=1, description="Failures older than this are forgotten.")
    token_max_failures: int = Field(default=20, ge=1, description="Invalid API tokens that lock an address.")
    public_url: str = Field(default="http://127.0.0.1:8000", description="Where respondents reach Centric.")
    # Single sign-on with OpenID Connect (docs: README "Single sign-on"); off while the issuer is empty.
    oidc_issuer: str = Field(default="", description="The OpenID provider's issuer URL (its discovery document is "
                                                     "<issuer>/.well-known/openid-configuration); empty: no SSO.")
    oidc_client_id: str = Field(default="", description="Centric's client id at the provider.")
    oidc_client_secret: str = Field(default="", description="Centric's client secret at the provider.")
    oidc_scopes: str = Field(default="openid email profile",
                             description="Scopes asked for (add e.g. 'groups' where the provider needs it).")
    oidc_groups_claim: str = Field(default="groups", description="The ID token claim that lists the user's groups.")
    oidc_role_map: dict[str, str] = Field(
        default_factory=dict, description='JSON: provider group → Centric role, e.g. {"cx-admins": "admin"}; '
                                          "the highest role among the user's groups wins.")
    oidc_default_role: str = Field(default="", description="Role of a user in no mapped group; empty: refused.")
    oidc_name: str = Field(default="", description="The provider's name on the login button.")
    oidc_redirect_url: str = Field(
        default="", description="The callback URL registered at the provider (https://…/login/sso/callback); "
                                "empty: derived from the request (behind a proxy, set it).")
    oidc_timeout_s: float = Field(default=10.0, gt=0, le=120, description="Timeout of each call to the provider.")
    password_login: bool = Field(default=True, description="Staff may log in with a password (false: SSO only; "
                                                           "API tokens keep working).")
    # Background jobs: in-process worker threads unless a queue URL is given.
    queue_url: str = Field(default="", description="redis://… or amqp://…; empty: in-process worker threads.")
    queue_name: str = "centric"
    job_workers: int = Field(default=2, ge=0, le=64, description="Worker threads; 0 starts none in the web app.")
    job_max_attempts: int = Field(default=5, ge=1, le=100)
    job_retry_base_s: float = Field(default=10.0, gt=0, description="First retry delay; doubles per attempt.")
    job_retry_max_s: float = Field(default=3600.0, gt=0)
    job_poll_s: float = Field(default=0.5, gt=0)
    job_lease_s: int = Field(default=300, ge=5, description="A running job not finished by then is taken again.")
    # Outbound e-mail and webhooks.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout_s: float = 10.0
    mail_from: str = "Centric <centric@localhost>"
    webhook_timeout_s: float = 10.0
    # The closed loop's follow-up: defaults for rules that name none.
    loop_recovery_survey: str = Field(default="", description="Survey key of the CSAT sent when a case is resolved.")
    loop_resurvey_days: int = Field(default=0, ge=0, description="Re-ask the case's original survey after N days.")
    # Governance digests: the weekly one goes out on this weekday (UTC), the daily one every day.
    digest_weekday: int = Field(default=0, ge=0, le=6, description="Weekly digests' day: 0 Monday … 6 Sunday.")
    # Governance: the windows before and after an initiative's done day its impact compares.
    impact_window_days: int = Field(default=90, ge=7, le=365, description="Days before/after a done initiative.")
    # Ideas: voters and commenters hear of status changes, at most this many notices per customer per window
    # (a "done" notice always goes: it closes the loop; unsubscribes always win).
    ideas_notice_cap: int = Field(default=3, ge=1, le=100, description="Idea notices per customer per window.")
    ideas_notice_window_days: int = Field(default=7, ge=1, le=365, description="The idea notices' window in days.")
    # Chat: conversations close themselves after this long without a message (never surveyed then):
    # a bot-only chat, and one where a person answered and waits on the customer. Hand-offs still
    # waiting for their first reply never close by themselves.
    chat_idle_bot_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60,
                                       description="Minutes of silence that close a bot-only chat.")
    chat_idle_customer_minutes: int = Field(default=48 * 60, ge=1, le=90 * 24 * 60,
                                            description="Minutes an agent's reply waits on the customer before "
                                                        "the chat closes.")
    # The mirror: employee answers are published only for groups of at least this many respondents.
    mirror_min_group: int = Field(default=5, ge=3, le=1000,
                                  description="k: the fewest respondents an employee-survey aggregate may show.")
    # Retention: copies of customer data kept only as long as they serve retries and debugging.
    retention_deliveries_days: int = Field(default=30, ge=1, description="Sent or failed webhook deliveries.")
    retention_idempotency_days: int = Field(default=7, ge=1, description="Stored answers to Idempotency-Key calls.")
    retention_jobs_days: int = Field(default=14, ge=1, description="Finished (done or failed) background jobs.")
    webhook_allowed_hosts: str = Field(
        default="", description="Comma-separated host names webhooks may reach although they resolve to a loopback, "
                                "private or link-local address (e.g. an intranet receiver); empty: public hosts only.")
    # Development only: labelled corpora and reference data sets (training, benchmarks, tests).
    shared_data: Path | None = Field(default=None, description="Shared data sets; default <checkout>/../shared/data.")

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_in_any_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("shared_data", mode="before")
    @classmethod
    def _empty_means_default(cls, value: object) -> object:
        return value or None

    @property
    def oidc_enabled(self) -> bool:
        """Whether single sign-on is configured (an issuer and a client id)."""
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def webhook_allowed_host_names(self) -> frozenset[str]:
        """``webhook_allowed_hosts`` as a set of lower-case names."""
        return frozenset(h.strip().lower().strip("[]") for h in self.webhook_allowed_hosts.split(",") if h.strip())

    @property
    def text_corpora(self) -> Path:
        """The labelled text corpora (see ``centric.text.corpora``)."""
        return (self.shared_data or _CHECKOUT_SHARED_DATA) / "text"
