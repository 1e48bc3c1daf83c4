"""evaluation: self-assessments (with the platform templates), SWOT, improvement measures, webhooks

Revision ID: 0007_evaluation
Revises: 0003_care_plans
Create Date: 2026-11-24 19:01:42.269737
"""
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op


import api.types

revision: str = '0007_evaluation'
down_revision: str | None = "0010_planning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The platform's self-assessment templates, with a handful of real criteria each.
# (code, kind, name_lt, name_en, scale_min, scale_max, [(code, text_lt, text_en), ...])
PLATFORM_TEMPLATES = [
    ("CARE_NORMS", "care_norms", "Socialinės globos normų atitikties įsivertinimas",
     "Care-norm compliance self-assessment", 1, 4, [
         ("CN_INDIVIDUAL_PLAN", "Kiekvienam paslaugų gavėjui sudarytas ir peržiūrimas individualus socialinės globos "
          "planas (ISGP), jo rengime dalyvauja pats gavėjas.",
          "Every recipient has an individual social care plan (ISGP) that is reviewed, drawn up with the recipient."),
         ("CN_RIGHTS_DIGNITY", "Užtikrinamos paslaugų gavėjo teisės, privatumas ir orumas.",
          "The recipient's rights, privacy and dignity are ensured."),
         ("CN_SAFETY", "Paslaugų gavėjams užtikrinama saugi aplinka, apsauga nuo smurto ir išnaudojimo.",
          "Recipients live in a safe environment, protected from violence and exploitation."),
         ("CN_STAFF", "Darbuotojų skaičius ir kvalifikacija atitinka teisės aktų reikalavimus; darbuotojai "
          "tobulina kompetencijas.",
          "Staff numbers and qualifications meet the legal requirements; staff develop their competences."),
         ("CN_COMPLAINTS", "Veikia skundų ir pasiūlymų nagrinėjimo tvarka, į juos reaguojama.",
          "A procedure for complaints and suggestions works and they are acted upon."),
     ]),
    ("SOCIAL_WORKER_SELF_ASSESSMENT", "social_worker_self_assessment",
     "Socialinio darbuotojo veiklos įsivertinimo įrankis", "Social workers' self-assessment tool", 1, 5, [
         ("SW_NEEDS", "Objektyviai įvertinu paslaugų gavėjo poreikius ir stiprybes.",
          "I assess the recipient's needs and strengths objectively."),
         ("SW_PLANNING", "Kartu su paslaugų gavėju planuoju aiškius, pamatuojamus tikslus.",
          "I plan clear, measurable goals together with the recipient."),
         ("SW_EMPOWERMENT", "Skatinu paslaugų gavėjo savarankiškumą ir įgalinimą.",
          "I encourage the recipient's independence and empowerment."),
         ("SW_ETHICS", "Laikausi socialinio darbo etikos principų ir konfidencialumo.",
          "I follow the ethical principles of social work and confidentiality."),
         ("SW_LEARNING", "Nuolat mokausi ir nustatau savo kompetencijų tobulinimo poreikius.",
          "I keep learning and identify my competence development needs."),
     ]),
    ("EQUASS", "equass", "EQUASS principais grįstas įsivertinimas", "EQUASS-style self-assessment", 1, 4, [
         ("EQ_LEADERSHIP", "Lyderystė: vadovai formuoja kokybės politiką ir ją įgyvendina.",
          "Leadership: management sets the quality policy and carries it out."),
         ("EQ_RIGHTS", "Teisės: paslaugų gavėjų teisės įtvirtintos ir ginamos.",
          "Rights: the recipients' rights are laid down and protected."),
         ("EQ_PARTICIPATION", "Dalyvavimas: paslaugų gavėjai dalyvauja planuojant ir vertinant paslaugas.",
          "Participation: recipients take part in planning and evaluating services."),
         ("EQ_PERSON_CENTRED", "Orientacija į asmenį: paslaugos pritaikytos individualiems poreikiams.",
          "Person-centred approach: services fit individual needs."),
         ("EQ_RESULTS", "Orientacija į rezultatus: matuojami pasitenkinimo, gyvenimo kokybės ir naudos rezultatai.",
          "Result orientation: satisfaction, quality-of-life and benefit results are measured."),
         ("EQ_IMPROVEMENT", "Nuolatinis tobulinimas: rezultatai palyginami ir virsta tobulinimo priemonėmis.",
          "Continuous improvement: results are compared and turned into improvement measures."),
     ]),
]


def _seed(templates: sa.Table, criteria: sa.Table) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    template_rows, criterion_rows = [], []
    for code, kind, name_lt, name_en, scale_min, scale_max, items in PLATFORM_TEMPLATES:
        template_id = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:ciklas:assessment-template:{code}")
        template_rows.append({"id": template_id, "version": 1, "created_at": at, "updated_at": at,
                              "institution_id": None, "code": code, "kind": kind, "name_lt": name_lt,
                              "name_en": name_en, "description_lt": None, "description_en": None,
                              "scale_min": scale_min, "scale_max": scale_max})
        for position, (c_code, text_lt, text_en) in enumerate(items, start=1):
            criterion_rows.append({"id": uuid.uuid5(template_id, c_code), "template_id": template_id,
                                   "position": position, "code": c_code, "text_lt": text_lt, "text_en": text_en})
    op.bulk_insert(templates, template_rows)
    op.bulk_insert(criteria, criterion_rows)


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    templates = op.create_table('assessment_templates',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('institution_id', sa.Uuid(), nullable=True),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('name_lt', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('description_lt', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('description_en', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('scale_min', sa.Integer(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_assessment_templates_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_templates')),
    sa.UniqueConstraint('institution_id', 'code', name=op.f('uq_assessment_templates_institution_id_code'))
    )
    with op.batch_alter_table('assessment_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_templates_institution_id'), ['institution_id'], unique=False)

    op.create_table('swot_items',
    sa.Column('institution_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quadrant', sa.String(length=20), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_swot_items_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_swot_items'))
    )
    with op.batch_alter_table('swot_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_swot_items_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_swot_items_institution_id_year_quadrant'), ['institution_id', 'year', 'quadrant'], unique=False)

    op.create_table('webhook_subscriptions',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('institution_id', sa.Uuid(), nullable=True),
    sa.Column('municipality_id', sa.Uuid(), nullable=True),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_webhook_subscriptions_institution_id_institutions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_webhook_subscriptions_municipality_id_municipalities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscriptions'))
    )
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_subscriptions_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_subscriptions_municipality_id'), ['municipality_id'], unique=False)

    criteria = op.create_table('assessment_criteria',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('template_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('text_lt', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('text_en', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['assessment_templates.id'], name=op.f('fk_assessment_criteria_template_id_assessment_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_criteria')),
    sa.UniqueConstraint('template_id', 'code', name=op.f('uq_assessment_criteria_template_id_code'))
    )
    with op.batch_alter_table('assessment_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_criteria_template_id'), ['template_id'], unique=False)

    op.create_table('assessments',
    sa.Column('institution_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('template_id', sa.Uuid(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('completed_at', api.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_assessments_institution_id_institutions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['assessment_templates.id'], name=op.f('fk_assessments_template_id_assessment_templates'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('institution_id', 'template_id', 'period', name=op.f('uq_assessments_institution_id_template_id_period'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_template_id'), ['template_id'], unique=False)

    op.create_table('webhook_deliveries',
    sa.Column('created_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('subscription_id', sa.Uuid(), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('institution_id', sa.Uuid(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('delivered_at', api.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['subscription_id'], ['webhook_subscriptions.id'], name=op.f('fk_webhook_deliveries_subscription_id_webhook_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_status_next_attempt_at'), ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('assessment_findings',
    sa.Column('institution_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('assessment_id', sa.Uuid(), nullable=False),
    sa.Column('criterion_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_findings_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['assessment_criteria.id'], name=op.f('fk_assessment_findings_criterion_id_assessment_criteria'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_assessment_findings_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_findings'))
    )
    with op.batch_alter_table('assessment_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_findings_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_findings_institution_id'), ['institution_id'], unique=False)

    op.create_table('assessment_ratings',
    sa.Column('institution_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('assessment_id', sa.Uuid(), nullable=False),
    sa.Column('criterion_id', sa.Uuid(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('rated_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_ratings_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['assessment_criteria.id'], name=op.f('fk_assessment_ratings_criterion_id_assessment_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_assessment_ratings_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_ratings')),
    sa.UniqueConstraint('assessment_id', 'criterion_id', name=op.f('uq_assessment_ratings_assessment_id_criterion_id'))
    )
    with op.batch_alter_table('assessment_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_ratings_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_ratings_institution_id'), ['institution_id'], unique=False)

    op.create_table('improvement_measures',
    sa.Column('institution_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('effect_indicator_id', sa.Uuid(), nullable=True),
    sa.Column('effect_indicator_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('effect_target', sa.Float(), nullable=True),
    sa.Column('effect_period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('measured_value', sa.Float(), nullable=True),
    sa.Column('measured_baseline', sa.Float(), nullable=True),
    sa.Column('measured_change', sa.Float(), nullable=True),
    sa.Column('target_reached', sa.Boolean(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('approved_by_id', sa.Uuid(), nullable=True),
    sa.Column('approved_at', api.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', api.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', api.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('evaluated_at', api.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('carried_into_plan_item_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['effect_indicator_id'], ['indicators.id'], name=op.f('fk_improvement_measures_effect_indicator_id_indicators'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_improvement_measures_institution_id_institutions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_improvement_measures_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_measures'))
    )
    with op.batch_alter_table('improvement_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_improvement_measures_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_improvement_measures_institution_id_status'), ['institution_id', 'status'], unique=False)

    op.create_table('webhook_attempts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('delivery_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('attempted_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts'))
    )
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_attempts_delivery_id'), ['delivery_id'], unique=False)

    op.create_table('measure_evidence',
    sa.Column('institution_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('measure_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('ref_id', sa.Uuid(), nullable=True),
    sa.Column('indicator_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('created_at', api.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_measure_evidence_institution_id_institutions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['improvement_measures.id'], name=op.f('fk_measure_evidence_measure_id_improvement_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_evidence'))
    )
    with op.batch_alter_table('measure_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_evidence_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_evidence_measure_id'), ['measure_id'], unique=False)

    # ### end Alembic commands ###
    _seed(templates, criteria)


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('measure_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_evidence_measure_id'))
        batch_op.drop_index(batch_op.f('ix_measure_evidence_institution_id'))

    op.drop_table('measure_evidence')
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_attempts_delivery_id'))

    op.drop_table('webhook_attempts')
    with op.batch_alter_table('improvement_measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_improvement_measures_institution_id_status'))
        batch_op.drop_index(batch_op.f('ix_improvement_measures_institution_id'))

    op.drop_table('improvement_measures')
    with op.batch_alter_table('assessment_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_ratings_institution_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_ratings_assessment_id'))

    op.drop_table('assessment_ratings')
    with op.batch_alter_table('assessment_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_findings_institution_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_findings_assessment_id'))

    op.drop_table('assessment_findings')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_status_next_attempt_at'))

    op.drop_table('webhook_deliveries')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_template_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_institution_id'))

    op.drop_table('assessments')
    with op.batch_alter_table('assessment_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_criteria_template_id'))

    op.drop_table('assessment_criteria')
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_subscriptions_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_webhook_subscriptions_institution_id'))

    op.drop_table('webhook_subscriptions')
    with op.batch_alter_table('swot_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_swot_items_institution_id_year_quadrant'))
        batch_op.drop_index(batch_op.f('ix_swot_items_institution_id'))

    op.drop_table('swot_items')
    with op.batch_alter_table('assessment_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_templates_institution_id'))

    op.drop_table('assessment_templates')
    # ### end Alembic commands ###
