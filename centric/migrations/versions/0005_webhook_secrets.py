"""webhook secrets sealed at rest; no target answer bodies in the delivery log

Revision ID: 0005_webhook_secrets
Revises: 0004_text

``webhook_subscription.secret`` (clear text) becomes ``secret_sealed``: each secret is
sealed with the key the application uses (``CENTRIC_SECRET_KEY``, else the generated
``signing_key`` in ``app_setting``, created here if missing). A new column and a plain
DROP COLUMN, not a batch table rebuild: on SQLite the rebuild's DROP TABLE would cascade
to the delivery log. ``last_error`` texts that held the target's answer ("HTTP 503:
<body>") are cut to the status code.
"""

import re
import secrets

import sqlalchemy as sa
from alembic import op

from centric.accounts.sealing import seal, unseal
from centric.accounts.signing import KEY_NAME
from centric.config import Settings

revision = "0005_webhook_secrets"
down_revision = "0004_text"
branch_labels = None
depends_on = None

SECRET_PURPOSE = "webhook_subscription.secret"  # as in centric.webhooks.service
_subscriptions = sa.table("webhook_subscription", sa.column("id", sa.Integer), sa.column("secret", sa.String),
                          sa.column("secret_sealed", sa.String))
_deliveries = sa.table("webhook_delivery", sa.column("id", sa.Integer), sa.column("last_error", sa.Text))
_settings = sa.table("app_setting", sa.column("key", sa.String), sa.column("value", sa.String))
_HTTP_BODY = re.compile(r"^(HTTP \d{3}): .*", re.DOTALL)


def _key(connection: sa.Connection) -> bytes:
    configured = Settings().secret_key
    if configured:
        return configured.encode()
    stored = connection.scalar(sa.select(_settings.c.value).where(_settings.c.key == KEY_NAME))
    if stored is None:
        stored = secrets.token_urlsafe(48)
        connection.execute(_settings.insert().values(key=KEY_NAME, value=stored))
    return str(stored).encode()


def upgrade() -> None:
    op.add_column("webhook_subscription", sa.Column("secret_sealed", sa.String(length=200), nullable=False,
                                                    server_default=""))
    connection = op.get_bind()
    rows = list(connection.execute(sa.select(_subscriptions.c.id, _subscriptions.c.secret)))
    if rows:
        key = _key(connection)
        for subscription_id, secret in rows:
            connection.execute(_subscriptions.update().where(_subscriptions.c.id == subscription_id)
                               .values(secret_sealed=seal(key, SECRET_PURPOSE, secret)))
    op.drop_column("webhook_subscription", "secret")
    for delivery_id, error in list(connection.execute(
            sa.select(_deliveries.c.id, _deliveries.c.last_error).where(_deliveries.c.last_error.like("HTTP %")))):
        match = _HTTP_BODY.match(error)
        if match:
            connection.execute(_deliveries.update().where(_deliveries.c.id == delivery_id)
                               .values(last_error=match.group(1)))


def downgrade() -> None:
    op.add_column("webhook_subscription", sa.Column("secret", sa.String(length=100), nullable=False,
                                                    server_default=""))
    connection = op.get_bind()
    rows = list(connection.execute(sa.select(_subscriptions.c.id, _subscriptions.c.secret_sealed)))
    if rows:
        key = _key(connection)
        for subscription_id, sealed in rows:
            connection.execute(_subscriptions.update().where(_subscriptions.c.id == subscription_id)
                               .values(secret=unseal(key, SECRET_PURPOSE, sealed)))
    op.drop_column("webhook_subscription", "secret_sealed")
