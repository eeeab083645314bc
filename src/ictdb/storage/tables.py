"""The node's tables. JSON is kept as text so SQLite and PostgreSQL store exactly the same bytes.

Tables of small rows read by their primary key are ``WITHOUT ROWID`` on SQLite (``sqlite_with_rowid=False``,
migration 0012): the row is stored once, in its key's tree, instead of under a row number and again in the
key's index. PostgreSQL ignores the option.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

INTEGER_MAX = 2**31 - 1
"""The most an ``Integer`` column holds on PostgreSQL (SQLite's hold more): a sequence number or position asked
for beyond it names nothing, and PostgreSQL refuses to compare with it ("integer out of range")."""

agencies = Table(
    "agencies",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("country", String(2), nullable=False),
    Column("list_authority", Boolean, nullable=False, default=False),
    Column("defaults", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("agency", String(20), ForeignKey("agencies.code"), nullable=False, index=True),
    Column("roles", Text, nullable=False),
    Column("full_name", String(200)),
    Column("active", Boolean, nullable=False, default=True),
    Column("password_hash", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("username", String(64), ForeignKey("users.username"), nullable=False, index=True),
    Column("secret_hash", String(128), nullable=False, unique=True),
    Column("label", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

sharing_groups = Table(
    "sharing_groups",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("owner", String(20), ForeignKey("agencies.code"), nullable=False),
    Column("description", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_name", String(64), ForeignKey("sharing_groups.name"), primary_key=True),
    Column("agency", String(20), ForeignKey("agencies.code"), primary_key=True),
    Index("ix_group_members_agency", "agency", "group_name"),
)

records = Table(
    "records",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("schema", String(20), nullable=False),
    Column("owner", String(20), ForeignKey("agencies.code"), nullable=False),
    Column("source_id", String(200)),
    Column("caption", Text, nullable=False),
    Column("distribution", Text, nullable=False),
    Column("dist_kind", String(10), nullable=False),
    Column("handling", String(2), nullable=False),
    Column("handling_note", Text),
    Column("hit_policy", String(20), nullable=False),
    Column("grading", String(2), nullable=False),
    Column("purpose", String(40), nullable=False),
    Column("justification", Text),
    Column("review_by", Date, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("deleted_at", DateTime(timezone=True)),
    Column("body", Text, nullable=False),
    UniqueConstraint("owner", "source_id", name="uq_records_owner_source"),
    Index("ix_records_schema", "schema", "id"),
    # Counting what a viewer may see adds up ranges of these two (storage/visibility.py, ``visible_parts``):
    # records open to all members and not past review, and an owner's records by distribution and review.
    Index("ix_records_owner", "owner", "deleted_at", "dist_kind", "review_by"),
    Index("ix_records_reach", "dist_kind", "deleted_at", "review_by"),
)

# Who besides the owner is named for a record: by its distribution ("distribution") or a granted request.
record_agencies = Table(
    "record_agencies",
    metadata,
    Column("record_id", String(40), ForeignKey("records.id"), primary_key=True),
    Column("agency", String(20), ForeignKey("agencies.code"), primary_key=True),
    Column("via", String(20), nullable=False),
    Index("ix_record_agencies_agency", "agency", "record_id"),
)

record_groups = Table(
    "record_groups",
    metadata,
    Column("record_id", String(40), ForeignKey("records.id"), primary_key=True),
    Column("group_name", String(64), ForeignKey("sharing_groups.name"), primary_key=True),
    Index("ix_record_groups_group", "group_name", "record_id"),
)

# Every version of a record: who changed it, when and why, and what it held. A record's first version, while it
# is current, is the record's own row: a created record has no row here (made by another change, a row without body
# and envelope) until ``Records._settle`` writes it out, whole, before the record first changes.
record_versions = Table(
    "record_versions",
    metadata,
    Column("record_id", String(40), ForeignKey("records.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("body", Text),
    Column("envelope", Text),
    Column("change", String(20), nullable=False),
    Column("reason", Text),
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

record_links = Table(
    "record_links",
    metadata,
    Column("record_id", String(40), ForeignKey("records.id"), primary_key=True),
    Column("field", String(40), primary_key=True),
    Column("target_id", String(40), primary_key=True),
    Index("ix_record_links_target", "target_id"),
    sqlite_with_rowid=False,
)

record_identifiers = Table(
    "record_identifiers",
    metadata,
    Column("record_id", String(40), ForeignKey("records.id"), primary_key=True),
    Column("scheme", String(40), primary_key=True),
    Column("value", String(200), primary_key=True),
    Index("ix_record_identifiers_value", "scheme", "value"),
    sqlite_with_rowid=False,
)

change_counters = Table(
    "change_counters",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("username", String(64), nullable=False),
    Column("agency", String(20), nullable=False),
    Column("action", String(40), nullable=False),
    Column("record_ids", Text, nullable=False),
    Column("query", Text),
    Column("outcome", String(20), nullable=False),
    Column("origin", String(100), nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_agency", "agency", "seq"),
)

# Which records an audit event touched, and whose they are: lets an owner ask who accessed its records.
audit_records = Table(
    "audit_records",
    metadata,
    Column("seq", Integer, ForeignKey("audit_events.seq"), primary_key=True),
    Column("record_id", String(40), primary_key=True),
    Column("owner", String(20), nullable=False),
    Index("ix_audit_records_owner", "owner", "seq"),
    sqlite_with_rowid=False,
)

# --- cooperation: watches, the inbox, hit notices, requests for information, webhooks and their outbox

watches = Table(
    "watches",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("agency", String(20), ForeignKey("agencies.code"), nullable=False),
    Column("target_kind", String(10), nullable=False),
    Column("target", String(100), nullable=False),
    Column("note", Text),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("agency", "target_kind", "target", name="uq_watches_agency_target"),
    Index("ix_watches_target", "target"),
)

# An agency's inbox. Each entry names at most two records; a reader sees it only while it may see both.
alerts = Table(
    "alerts",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("agency", String(20), ForeignKey("agencies.code"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("record_id", String(40)),
    Column("about_id", String(40)),
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True)),
    Index("ix_alerts_agency", "agency", "seq"),
)

hits = Table(
    "hits",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("owner", String(20), ForeignKey("agencies.code"), nullable=False),
    Column("searcher_agency", String(20), nullable=False),
    Column("searcher_user", String(64), nullable=False),
    Column("action", String(20), nullable=False),
    Column("query", Text, nullable=False),
    Column("source", Text),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("records", Text, nullable=False),
    Column("askable", Boolean, nullable=False),
    Index("ix_hits_owner", "owner", "at"),
)

info_requests = Table(
    "info_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("from_agency", String(20), ForeignKey("agencies.code"), nullable=False),
    Column("to_agency", String(20), ForeignKey("agencies.code"), nullable=False),
    Column("hit_id", String(40)),
    Column("justification", Text, nullable=False),
    Column("urgency", String(10), nullable=False),
    Column("handling_asked", String(2)),
    Column("state", String(20), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("reminded_at", DateTime(timezone=True)),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
    Column("answered_by", String(64)),
    Index("ix_info_requests_from", "from_agency", "created_at"),
    Index("ix_info_requests_to", "to_agency", "state", "due_at"),
)

# The records a request is about; each reader is shown only those it may see.
info_request_records = Table(
    "info_request_records",
    metadata,
    Column("request_id", String(40), ForeignKey("info_requests.id"), primary_key=True),
    Column("record_id", String(40), primary_key=True),
)

info_request_messages = Table(
    "info_request_messages",
    metadata,
    Column("request_id", String(40), ForeignKey("info_requests.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("agency", String(20), nullable=False),
    Column("username", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("text", Text),
    Column("record_ids", Text, nullable=False),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("agency", String(20), ForeignKey("agencies.code"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("secret", String(128), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The transactional outbox: one row per alert and webhook, written with the alert; the worker delivers it.
outbox = Table(
    "outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("key", String(90), nullable=False, unique=True),
    Column("alert_seq", Integer, ForeignKey("alerts.seq"), nullable=False),
    Column("webhook_id", String(40), ForeignKey("webhooks.id"), nullable=False),
    Column("state", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_at", DateTime(timezone=True), nullable=False),
    Column("claimed_until", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Index("ix_outbox_due", "state", "next_at"),
    Index("ix_outbox_webhook", "webhook_id", "state"),
)

node_settings = Table(
    "node_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# --- screening jobs
# A manifest screened by an agency: the job, one row per traveller, and the matches found for each row with
# the analyst's decision on them. Kept in the database so that every worker sees them and a restart loses none.
screening_jobs = Table(
    "screening_jobs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("agency", String(20), ForeignKey("agencies.code"), nullable=False),
    Column("username", String(64), nullable=False),
    Column("source", String(200), nullable=False),
    Column("format", String(20), nullable=False),
    Column("state", String(20), nullable=False),
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_screening_jobs_agency", "agency", "created_at"),
)

screening_rows = Table(
    "screening_rows",
    metadata,
    Column("job_id", String(40), ForeignKey("screening_jobs.id"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("row_id", String(200), nullable=False),
    Column("traveller", Text, nullable=False),
    Column("restricted", Text, nullable=False),
    Column("error", Text),
)

screening_hits = Table(
    "screening_hits",
    metadata,
    Column("job_id", String(40), ForeignKey("screening_jobs.id"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("entity_id", String(40), primary_key=True),
    Column("score", Float, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("decision", String(20)),
    Column("reason", Text),
    Column("decided_by", String(64)),
    Column("decided_at", DateTime(timezone=True)),
)

# --- resolution
# Judgements are append-only: a pair's current verdict is its judgement with the highest id.
resolution_judgements = Table(
    "resolution_judgements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("left_id", String(40), ForeignKey("records.id"), nullable=False),
    Column("right_id", String(40), ForeignKey("records.id"), nullable=False),
    Column("verdict", String(12), nullable=False),
    Column("judge", String(64), nullable=False),
    Column("agency", String(20), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    Column("score", Float),
    Column("supersedes", Integer),
    Index("ix_resolution_judgements_pair", "left_id", "right_id", "id"),
    Index("ix_resolution_judgements_right", "right_id"),
)

# Candidate pairs the resolver found; one row per pair, refreshed by each run that finds it again.
resolution_proposals = Table(
    "resolution_proposals",
    metadata,
    Column("left_id", String(40), ForeignKey("records.id"), primary_key=True),
    Column("right_id", String(40), ForeignKey("records.id"), primary_key=True),
    Column("schema", String(20), nullable=False),
    Column("score", Float, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_resolution_proposals_score", "score"),
    Index("ix_resolution_proposals_right", "right_id"),
)

resolution_runs = Table(
    "resolution_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("username", String(64), nullable=False),
    Column("agency", String(20), nullable=False),
    Column("scope", String(10), nullable=False),
    Column("since", DateTime(timezone=True)),
    Column("stats", Text, nullable=False),
)

# --- visibility
# Every column the visibility predicate reads, in id order: listings (ordered by id) and counts are answered
# from this index alone, without reading the record bodies of rows the filter rejects or skips.
Index(
    "ix_records_visibility",
    records.c.id,
    records.c.owner,
    records.c.dist_kind,
    records.c.review_by,
    records.c.deleted_at,
)
# The matcher's index asks when a record was last written before every search.
Index("ix_records_updated", records.c.updated_at)
