"""pull changes: a per-institution change counter of indicator values, kept by triggers

The municipality pull answers a conditional request (If-None-Match) from this counter and the
institutions' and indicators' versions: one small indexed query, no value rows read. Triggers keep
it, not the application, so every path that changes a value counts: the ORM, bulk statements,
recomputations and the cascade deletes of an indicator or an institution.

Revision ID: 0012_pull_changes
Revises: 0011_report_publication
Create Date: 2026-11-24 22:20:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_pull_changes"
down_revision: str | None = '0011_report_publication'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "indicator_value_changes"
SQLITE_TRIGGERS = ("insert", "update", "move", "delete")


def _bump(ref: str) -> str:
    """Counts one change of the institution of the row `ref` (NEW or OLD)."""
    return (f"INSERT INTO indicator_value_changes (institution_id, changes) VALUES ({ref}.institution_id, 1) "
            "ON CONFLICT (institution_id) DO UPDATE SET changes = indicator_value_changes.changes + 1;")


def upgrade() -> None:
    # No foreign key: an institution's deletion cascades to its values, whose triggers still count.
    op.create_table(
        TABLE,
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("institution_id", name=op.f("pk_indicator_value_changes")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION indicator_value_changes_count() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    {_bump("OLD")}
                    RETURN NULL;
                END IF;
                {_bump("NEW")}
                IF TG_OP = 'UPDATE' THEN
                    IF OLD.institution_id IS DISTINCT FROM NEW.institution_id THEN
                        {_bump("OLD")}
                    END IF;
                END IF;
                RETURN NULL;
            END $$""")
        op.execute("CREATE TRIGGER indicator_value_changes_count AFTER INSERT OR UPDATE OR DELETE "
                   "ON indicator_values FOR EACH ROW EXECUTE FUNCTION indicator_value_changes_count()")
    else:
        op.execute(f"CREATE TRIGGER indicator_value_changes_insert AFTER INSERT ON indicator_values "
                   f"BEGIN {_bump('NEW')} END")
        op.execute(f"CREATE TRIGGER indicator_value_changes_update AFTER UPDATE ON indicator_values "
                   f"BEGIN {_bump('NEW')} END")
        op.execute(f"CREATE TRIGGER indicator_value_changes_move AFTER UPDATE OF institution_id ON indicator_values "
                   f"WHEN OLD.institution_id IS NOT NEW.institution_id BEGIN {_bump('OLD')} END")
        op.execute(f"CREATE TRIGGER indicator_value_changes_delete AFTER DELETE ON indicator_values "
                   f"BEGIN {_bump('OLD')} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS indicator_value_changes_count ON indicator_values")
        op.execute("DROP FUNCTION IF EXISTS indicator_value_changes_count()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS indicator_value_changes_{name}")
    op.drop_table(TABLE)
