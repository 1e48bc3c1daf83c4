"""tokens follow the account: a token generation per user and per machine client

Every access token carries its subject's generation (claim `gen`); each request compares it with
the row in the same indexed look-up that checks the revoked `jti`. Changing a password or secret,
deactivating, or changing the role or tenant bumps the generation, so the tokens issued before stop
at once. Existing rows start at 0, the generation of tokens issued before this revision.

Revision ID: 0013_tokens_follow_account
Revises: 0016_unlinkable_and_erasure
Create Date: 2026-12-01 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_tokens_follow_account"
down_revision: str | None = "0016_unlinkable_and_erasure"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("users", "api_clients")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("token_generation")
