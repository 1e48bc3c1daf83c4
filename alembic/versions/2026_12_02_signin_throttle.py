"""sign-in throttle: failures per account and client address, and per address, with growing delays

The old table counted failures per username or client_id alone, so anyone could lock an account out
(issue 13). Its rows are short-lived counters, not records: the table is replaced, not migrated.

Revision ID: 0014_signin_throttle
Revises: 0013_tokens_follow_account
Create Date: 2026-12-02 12:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.types

revision: str = "0014_signin_throttle"
down_revision: str | None = "0013_tokens_follow_account"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("login_throttles")
    op.create_table(
        "login_throttles",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("decay_from", api.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", api.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    op.create_index(op.f("ix_login_throttles_decay_from"), "login_throttles", ["decay_from"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_login_throttles_decay_from"), table_name="login_throttles")
    op.drop_table("login_throttles")
    op.create_table(
        "login_throttles",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", api.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
