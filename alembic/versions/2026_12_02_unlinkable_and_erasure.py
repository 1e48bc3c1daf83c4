"""unlinkable anonymous responses, one response per identified respondent, one account per recipient

* `recipients.user_id` becomes unique: an account reaches at most one recipient. An account linked
  to several recipients today is unlinked from all of them (which of the links is right cannot be
  told; the director links it again), since a wrong link shows another person's care plan.
* `survey_responses (campaign_id, respondent_user_id)` becomes unique: one response per identified
  person. Of earlier duplicates the first submitted stays (a second answer is 409 from now on).
* Responses of anonymous campaigns stored before: their time-ordered ids are replaced by random
  ones, their times truncated to the day and any respondent link dropped, in a random order.

Revision ID: 0016_unlinkable_and_erasure
Revises: 0015_value_persons
Create Date: 2026-12-02 13:00:00.000000
"""
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import api.types

revision: str = "0016_unlinkable_and_erasure"
down_revision: str | None = "0015_value_persons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESPONDENT_INDEX = "ix_survey_responses_campaign_id_respondent_user_id"

responses = sa.table(
    "survey_responses",
    sa.column("id", sa.Uuid()), sa.column("institution_id", sa.Uuid()), sa.column("campaign_id", sa.Uuid()),
    sa.column("version_id", sa.Uuid()), sa.column("client_response_id", sa.Uuid()),
    sa.column("answers_digest", sa.String()), sa.column("channel", sa.String()),
    sa.column("answered_at", api.types.UTCDateTime()), sa.column("submitted_at", api.types.UTCDateTime()),
    sa.column("submitted_on", sa.Date()), sa.column("late", sa.Boolean()),
    sa.column("respondent_user_id", sa.Uuid()), sa.column("device_client_id", sa.Uuid()),
)
answers = sa.table("survey_answers", sa.column("response_id", sa.Uuid()))
campaigns = sa.table("survey_campaigns", sa.column("id", sa.Uuid()), sa.column("anonymous", sa.Boolean()))


def _day(value: datetime) -> datetime:
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _unlink_shared_accounts() -> None:
    op.execute("UPDATE recipients SET user_id = NULL WHERE user_id IN ("
               "SELECT user_id FROM recipients WHERE user_id IS NOT NULL GROUP BY user_id HAVING COUNT(*) > 1)")


def _drop_second_responses() -> None:
    later = ("SELECT r.id FROM survey_responses r WHERE r.respondent_user_id IS NOT NULL AND EXISTS ("
             "SELECT 1 FROM survey_responses o WHERE o.campaign_id = r.campaign_id "
             "AND o.respondent_user_id = r.respondent_user_id "
             "AND (o.submitted_at < r.submitted_at OR (o.submitted_at = r.submitted_at AND o.id < r.id)))")
    op.execute(f"DELETE FROM survey_answers WHERE response_id IN ({later})")
    op.execute(f"DELETE FROM survey_responses WHERE id IN (SELECT id FROM ({later}) AS later)")


def _unlink_anonymous_responses() -> None:
    """Each stored anonymous response gets a random id, day-precision times and no respondent. The
    row is copied under its new id (with a placeholder client id, the original being unique per
    campaign), its answers move to it, and the old row goes: no foreign key is broken on the way."""
    bind = op.get_bind()
    rows = [dict(r._mapping) for r in bind.execute(
        sa.select(responses).join(campaigns, campaigns.c.id == responses.c.campaign_id)
        .where(campaigns.c.anonymous.is_(True)))]
    random.SystemRandom().shuffle(rows)  # the copies must not land in the old (time) order either
    for row in rows:
        old_id, client_id = row["id"], row["client_response_id"]
        new_id = uuid.uuid4()
        bind.execute(sa.insert(responses).values({
            **row, "id": new_id, "client_response_id": uuid.uuid4(), "answered_at": _day(row["answered_at"]),
            "submitted_at": _day(row["submitted_at"]), "respondent_user_id": None, "device_client_id": None}))
        bind.execute(sa.update(answers).where(answers.c.response_id == old_id).values(response_id=new_id))
        bind.execute(sa.delete(responses).where(responses.c.id == old_id))
        bind.execute(sa.update(responses).where(responses.c.id == new_id).values(client_response_id=client_id))


def upgrade() -> None:
    _unlink_shared_accounts()
    op.drop_index(op.f("ix_recipients_user_id"), table_name="recipients")
    op.create_index(op.f("ix_recipients_user_id"), "recipients", ["user_id"], unique=True)
    _drop_second_responses()
    op.create_index(RESPONDENT_INDEX, "survey_responses", ["campaign_id", "respondent_user_id"], unique=True)
    _unlink_anonymous_responses()


def downgrade() -> None:
    # The unlinked data stays unlinked: only the constraints go.
    op.drop_index(RESPONDENT_INDEX, table_name="survey_responses")
    op.drop_index(op.f("ix_recipients_user_id"), table_name="recipients")
    op.create_index(op.f("ix_recipients_user_id"), "recipients", ["user_id"], unique=False)
