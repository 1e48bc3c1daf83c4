"""published annual reports (frozen content, revisions) and webhook secret rotation with an overlap

Revision ID: 0011_report_publication
Revises: 0007_evaluation
Create Date: 2026-11-24 22:01:10.594833
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


import api.types

revision: str = '0011_report_publication'
down_revision: str | None = '0007_evaluation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('published_reports',
    sa.Column('institution_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('published_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_published_reports_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_reports')),
    sa.UniqueConstraint('institution_id', 'year', 'revision', name=op.f('uq_published_reports_institution_id_year_revision'))
    )
    with op.batch_alter_table('published_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_reports_institution_id'), ['institution_id'], unique=False)

    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_secret', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('previous_secret_expires_at', api.types.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.drop_column('previous_secret_expires_at')
        batch_op.drop_column('previous_secret')

    with op.batch_alter_table('published_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_reports_institution_id'))

    op.drop_table('published_reports')
