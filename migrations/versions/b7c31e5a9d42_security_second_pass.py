"""security, second pass (issue 15): how often each clinic invitation was resent; whom each
audit event was about

Revision ID: b7c31e5a9d42
Revises: b7c1d9e2f4a3
Create Date: 2026-12-06 11:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


def affected_person(subject: str, details: dict) -> int | None:
    """audit.affected_person() as it stood when this migration was written."""
    kind, _, number = subject.partition(":")
    if kind == "user" and number.isdigit():
        return int(number)
    named = details.get("user_id", details.get("user"))
    return named if isinstance(named, int) and not isinstance(named, bool) else None


# revision identifiers, used by Alembic.
revision = 'b7c31e5a9d42'
down_revision = 'b7c1d9e2f4a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clinic_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resends', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('affected_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_events_affected_id'), ['affected_id'],
                              unique=False)
    # Whom the events recorded so far were about, by the rule audit.record() applies.
    events = sa.table('audit_events', sa.column('id', sa.Integer),
                      sa.column('subject', sa.String), sa.column('details', sa.JSON),
                      sa.column('affected_id', sa.Integer))
    connection = op.get_bind()
    found = [{"event": row.id, "person": person} for row in connection.execute(
        sa.select(events.c.id, events.c.subject, events.c.details))
        if (person := affected_person(row.subject or "", row.details or {})) is not None]
    if found:
        connection.execute(events.update().where(events.c.id == sa.bindparam("event"))
                           .values(affected_id=sa.bindparam("person")), found)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_affected_id'))
        batch_op.drop_column('affected_id')
    with op.batch_alter_table('clinic_invitations', schema=None) as batch_op:
        batch_op.drop_column('resends')
