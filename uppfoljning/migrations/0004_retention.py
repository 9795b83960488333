"""Retention (gallring, issue 10): the run/report table and the database's half of the rule.

The rule itself is SQL, in one place, so that the application (the reports) and the owner's
function that removes (and checks before removing) cannot disagree:

- `uppfoljning_retention_last_entry(client)`: the day of the last entry about a client, the
  latest of every date and timestamp of its decisions, orders, ordered interventions, changes of
  need, contact persons, plans, plan items, versions, plan reviews, plan follow-ups, time
  results, visits and individual reviews, of the client's own row, and of every audit event
  about any of them (pghistory's `pgh_created_at`). The audit events count so that a change of
  any of these dates, which writes an event dated now, is itself an entry: moving a date back
  does not bring a client into scope. Reads (the access log) are not entries, nor are the daily
  check's reminders (Notice), which only follow from orders and plans.
- `uppfoljning_retention_due(municipality, on)`: the municipality's clients whose last
  entry is at least `retention_years` before `on`, that have no order in force or open
  (issued, without an end) and have not been removed yet. `research_sample` marks those born on
  the 5th, 15th or 25th of a month (a coordination number's day plus 60 likewise), whose
  records are kept for research (SoL 12 kap. 2 §, socialtjänstförordningen 7 kap.).
- `uppfoljning_retention_work(clients, apply)`: the one list of what is removed, per table:
  counts it (apply false: the report) or does it (apply true). Owner only.
- `uppfoljning_retention_count(clients)`: the report's counts, for the application role.
- `uppfoljning_retention_remove(report, clients, kept, started_by)`: SECURITY DEFINER, for the
  application role. It locks the clients, checks each is due today (Swedish time, the
  database's clock, not the caller's date) and in the given report of its municipality, and
  refuses the whole call otherwise; then removes, with pgtrigger's triggers skipped for this
  function only (it runs as the owner, for whom `pgtrigger.ignore` works: ramtid/
  database_roles.py), which is how it may blank the append-only event tables and plan versions,
  and writes the removal's RetentionRun row itself. So the application's role cannot erase an
  arbitrary client's trail, nor erase without a record.

What is removed and what stays, and why: uppfoljning/retention.py (CLIENT_DATA), which a test
holds to this list. A removed text becomes "[gallrad]" where it had any (so "a reason was
given" still counts), and stays empty where it was empty.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

PLACEHOLDER = "[gallrad]"

# A timestamp's day in Swedish time, as the application counts days (timezone.localdate()).
LOCAL_DAY = """
CREATE OR REPLACE FUNCTION public.uppfoljning_local_day(moment timestamptz)
RETURNS date LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT (moment AT TIME ZONE 'Europe/Stockholm')::date $$
"""

# A removed free text: the placeholder where there was text, empty where it was empty.
REDACTED_TEXT = """
CREATE OR REPLACE FUNCTION public.uppfoljning_redacted(value text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN value IS NULL OR value = '' THEN value ELSE '[gallrad]' END $$
"""

REDACTED_ARRAY = """
CREATE OR REPLACE FUNCTION public.uppfoljning_redacted(value varchar[])
RETURNS varchar[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN value IS NULL THEN NULL ELSE ARRAY(
        SELECT (CASE WHEN item = '' THEN item ELSE '[gallrad]' END)::varchar
        FROM unnest(value) WITH ORDINALITY AS u (item, n) ORDER BY n
    ) END
$$
"""

# Every string in a JSON document redacted, except the values of the keys in `keep` (codes,
# ids, dates); object keys, numbers and booleans stay.
REDACTED_JSON = """
CREATE OR REPLACE FUNCTION public.uppfoljning_redacted(value jsonb, keep text[])
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
    BEGIN
        CASE jsonb_typeof(value)
        WHEN 'object' THEN
            RETURN coalesce((
                SELECT jsonb_object_agg(
                    e.key,
                    CASE WHEN e.key = ANY(keep) THEN e.value
                         ELSE public.uppfoljning_redacted(e.value, keep) END
                )
                FROM jsonb_each(value) AS e
            ), '{}'::jsonb);
        WHEN 'array' THEN
            RETURN coalesce((
                SELECT jsonb_agg(public.uppfoljning_redacted(a.item, keep) ORDER BY a.n)
                FROM jsonb_array_elements(value) WITH ORDINALITY AS a (item, n)
            ), '[]'::jsonb);
        WHEN 'string' THEN
            RETURN CASE WHEN value = '""'::jsonb THEN value ELSE to_jsonb('[gallrad]'::text) END;
        ELSE
            RETURN value;
        END CASE;
    END;
$$
"""

# A plan's reasons for differing from the order ({"missing-12": "…"}): the texts redacted, and
# only the keys the plan check makes (genomforandeplan.rules: kind-typeid, daily_visits) kept.
REDACTED_REASONS = """
CREATE OR REPLACE FUNCTION public.uppfoljning_redacted_reasons(value jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(value) <> 'object' THEN value ELSE coalesce((
        SELECT jsonb_object_agg(e.key, public.uppfoljning_redacted(e.value, '{}'::text[]))
        FROM jsonb_each(value) AS e
        WHERE e.key ~ '^[a-z_]{1,30}(-[0-9]{1,19})?$'
    ), '{}'::jsonb) END
$$
"""

# A plan version's frozen content (genomforandeplan.services.snapshot): the texts redacted; the
# order, the interventions, their frequencies, the participants and the dates kept.
REDACTED_SNAPSHOT = """
CREATE OR REPLACE FUNCTION public.uppfoljning_redacted_snapshot(value jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT public.uppfoljning_redacted(value, ARRAY[
        'order_id', 'planned_daily_visits', 'name', 'intervention_type_id', 'frequency',
        'participants', 'meeting_place', 'client_approved_on'
    ]) || CASE WHEN jsonb_typeof(value) = 'object' AND value ? 'coverage_reasons'
               THEN jsonb_build_object('coverage_reasons',
                    public.uppfoljning_redacted_reasons(value -> 'coverage_reasons'))
               ELSE '{}'::jsonb END
$$
"""

# The rows a client's other rows hang on, including those known only from the audit events.
LINKS = """
CREATE OR REPLACE FUNCTION public.uppfoljning_retention_orders(clients bigint[])
RETURNS SETOF bigint LANGUAGE sql STABLE
AS $$
    SELECT o.id FROM public.bestallning_order o WHERE o.client_id = ANY(clients)
    UNION SELECT e.pgh_obj_id FROM public.bestallning_orderevent e WHERE e.client_id = ANY(clients)
$$;
CREATE OR REPLACE FUNCTION public.uppfoljning_retention_decisions(clients bigint[])
RETURNS SETOF bigint LANGUAGE sql STABLE
AS $$
    SELECT d.id FROM public.bestallning_decision d WHERE d.client_id = ANY(clients)
    UNION SELECT e.pgh_obj_id FROM public.bestallning_decisionevent e
    WHERE e.client_id = ANY(clients)
$$;
CREATE OR REPLACE FUNCTION public.uppfoljning_retention_plans(clients bigint[])
RETURNS SETOF bigint LANGUAGE sql STABLE
AS $$
    SELECT p.id FROM public.genomforandeplan_implementationplan p WHERE p.client_id = ANY(clients)
    UNION SELECT e.pgh_obj_id FROM public.genomforandeplan_implementationplanevent e
    WHERE e.client_id = ANY(clients)
$$;
CREATE OR REPLACE FUNCTION public.uppfoljning_retention_versions(clients bigint[])
RETURNS SETOF bigint LANGUAGE sql STABLE
AS $$
    SELECT v.id FROM public.genomforandeplan_planversion v
    WHERE v.plan_id IN (SELECT public.uppfoljning_retention_plans(clients))
$$
"""

LAST_ENTRY = """
CREATE OR REPLACE FUNCTION public.uppfoljning_retention_last_entry(p_client bigint)
RETURNS date LANGUAGE sql STABLE
AS $$
    WITH orders AS (SELECT public.uppfoljning_retention_orders(ARRAY[p_client]) AS id),
         decisions AS (SELECT public.uppfoljning_retention_decisions(ARRAY[p_client]) AS id),
         plans AS (SELECT public.uppfoljning_retention_plans(ARRAY[p_client]) AS id),
         versions AS (SELECT public.uppfoljning_retention_versions(ARRAY[p_client]) AS id)
    SELECT max(entries.day) FROM (
        SELECT public.uppfoljning_local_day(c.created_at)
        FROM public.ramtid_client c WHERE c.id = p_client
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.ramtid_clientevent e WHERE e.pgh_obj_id = p_client
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.ramtid_clientrelativeevent e WHERE e.client_id = p_client

        UNION ALL SELECT max(greatest(
            d.decided_on, d.valid_from, d.valid_to, public.uppfoljning_local_day(d.created_at),
            public.uppfoljning_local_day(d.approved_at),
            public.uppfoljning_local_day(d.withdrawn_at)))
        FROM public.bestallning_decision d WHERE d.client_id = p_client
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.bestallning_decisionevent e WHERE e.client_id = p_client
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.bestallning_grantedinterventionevent e
        WHERE e.decision_id IN (SELECT id FROM decisions)

        UNION ALL SELECT max(greatest(
            o.valid_from, o.valid_to, o.executed_on, public.uppfoljning_local_day(o.created_at),
            public.uppfoljning_local_day(o.sent_at),
            public.uppfoljning_local_day(o.provider_notified_at),
            public.uppfoljning_local_day(o.received_at)))
        FROM public.bestallning_order o WHERE o.client_id = p_client
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.bestallning_orderevent e WHERE e.client_id = p_client
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.bestallning_orderedinterventionevent e
        WHERE e.order_id IN (SELECT id FROM orders)
        UNION ALL SELECT max(greatest(public.uppfoljning_local_day(r.reported_at),
                                      public.uppfoljning_local_day(r.answered_at)))
        FROM public.bestallning_needchangereport r WHERE r.order_id IN (SELECT id FROM orders)
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.bestallning_needchangereportevent e
        WHERE e.order_id IN (SELECT id FROM orders)

        UNION ALL SELECT max(a.assigned_on)
        FROM public.genomforandeplan_contactassignment a
        WHERE a.order_id IN (SELECT id FROM orders)
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.genomforandeplan_contactassignmentevent e
        WHERE e.order_id IN (SELECT id FROM orders)
        UNION ALL SELECT max(greatest(public.uppfoljning_local_day(p.created_at),
                                      p.client_approved_on))
        FROM public.genomforandeplan_implementationplan p WHERE p.client_id = p_client
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.genomforandeplan_implementationplanevent e WHERE e.client_id = p_client
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.genomforandeplan_planitemevent e WHERE e.plan_id IN (SELECT id FROM plans)
        UNION ALL SELECT max(greatest(v.client_approved_on,
                                      public.uppfoljning_local_day(v.created_at)))
        FROM public.genomforandeplan_planversion v WHERE v.plan_id IN (SELECT id FROM plans)
        UNION ALL SELECT public.uppfoljning_local_day(max(r.reviewed_at))
        FROM public.genomforandeplan_planreview r WHERE r.version_id IN (SELECT id FROM versions)
        UNION ALL SELECT max(f.followed_up_on)
        FROM public.genomforandeplan_planfollowup f WHERE f.plan_id IN (SELECT id FROM plans)
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.genomforandeplan_planfollowupevent e WHERE e.plan_id IN (SELECT id FROM plans)

        UNION ALL SELECT public.uppfoljning_local_day(max(v."end"))
        FROM public.uppfoljning_performedvisit v WHERE v.client_id = p_client
        UNION ALL SELECT max(greatest(
            (r.month + interval '1 month' - interval '1 day')::date,
            public.uppfoljning_local_day(r.checked_at),
            public.uppfoljning_local_day(r.explained_at),
            public.uppfoljning_local_day(r.decided_at),
            public.uppfoljning_local_day(r.frozen_at)))
        FROM public.uppfoljning_monthlytimeresult r WHERE r.client_id = p_client
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.uppfoljning_monthlytimeresultevent e WHERE e.client_id = p_client
        UNION ALL SELECT max(greatest(r.done_on, public.uppfoljning_local_day(r.created_at)))
        FROM public.uppfoljning_individualreview r WHERE r.client_id = p_client
        UNION ALL SELECT public.uppfoljning_local_day(max(e.pgh_created_at))
        FROM public.uppfoljning_individualreviewevent e WHERE e.client_id = p_client
    ) AS entries (day)
$$
"""

# Cheap conditions first (materialised): registered before the cutoff, not removed, and no order
# that is open or dated after the cutoff; the last entry is then computed only for those.
DUE = """
CREATE OR REPLACE FUNCTION public.uppfoljning_retention_due(p_municipality bigint, p_on date)
RETURNS TABLE (client_id bigint, last_entry date, research_sample boolean)
LANGUAGE sql STABLE
AS $$
    WITH rule AS (
        SELECT m.id, (p_on - make_interval(years => m.retention_years))::date AS cutoff
        FROM public.ramtid_municipality m WHERE m.id = p_municipality
    ), removed AS (
        SELECT DISTINCT u.id
        FROM public.uppfoljning_retentionrun r CROSS JOIN unnest(r.client_ids) AS u (id)
        WHERE r.municipality_id = p_municipality AND r.kind = 'removal'
    ), candidates AS MATERIALIZED (
        SELECT c.id, c.personal_number, rule.cutoff
        FROM public.ramtid_client c JOIN rule ON c.municipality_id = rule.id
        WHERE public.uppfoljning_local_day(c.created_at) <= rule.cutoff
          AND NOT EXISTS (SELECT 1 FROM removed WHERE removed.id = c.id)
          AND NOT EXISTS (
              SELECT 1 FROM public.bestallning_order o
              WHERE o.client_id = c.id
                AND ((o.status <> 'draft' AND o.valid_to IS NULL)
                     OR greatest(o.valid_from, o.valid_to) > rule.cutoff))
    )
    SELECT k.id, e.last_entry,
           substring(k.personal_number FROM 7 FOR 2) IN ('05', '15', '25', '65', '75', '85')
    FROM candidates k
    CROSS JOIN LATERAL (SELECT public.uppfoljning_retention_last_entry(k.id) AS last_entry) e
    WHERE e.last_entry <= k.cutoff
    ORDER BY k.id
$$
"""

# What is removed, table by table: (position, kind, table, assignments or NULL to delete,
# condition on $1, the clients). An event table, a copy of its rows, gets the same treatment.
_C = "client_id = ANY($1)"
_O = "order_id IN (SELECT public.uppfoljning_retention_orders($1))"
_P = "plan_id IN (SELECT public.uppfoljning_retention_plans($1))"
_V = "version_id IN (SELECT public.uppfoljning_retention_versions($1))"


def _texts(*columns: str) -> str:
    return ", ".join(f"{c} = public.uppfoljning_redacted({c})" for c in columns)


_CLIENT = (
    "first_name = 'Gallrad', last_name = 'brukare', street_address = '', postal_code = '', "
    "city = '', phone = '', protected_identity = false, responsible_officer_id = NULL, "
    "removed_on = CURRENT_DATE"
)
_DECISION = _texts("reasoning", "purpose_and_goal", "approval_comment", "withdrawal_reason")
_ORDER = (
    _texts(
        "order_text",
        "daily_visits_description",
        "overall_goals",
        "body_functions",
        "environmental_factors",
        "health_condition",
        "personal_factors",
        "ended_reason",
    )
    + ", quality_warnings = public.uppfoljning_redacted(quality_warnings, "
    "'{field,field_label,kind}'::text[])"
)
_HEADINGS = ("can_do_myself", "need_help_with", "how_and_when", "who_helps", "my_goal")
_PLAN = (
    _texts(
        *_HEADINGS,
        "meeting_place_other",
        "client_influence",
        "deviation_reason",
        "deviation_helper",
        "life_story",
        "client_approval_how",
    )
    + ", coverage_reasons = public.uppfoljning_redacted_reasons(coverage_reasons)"
)
_REVIEW = _texts(
    "interventions_work",
    "needs_met",
    "decision_must_change",
    "client_took_part",
    "client_satisfied",
    "contacted_others",
)

STEPS = [
    ("ramtid.Client", "ramtid_client",
     f"personal_number = lpad(id::text, 12, '0'), {_CLIENT}", "id = ANY($1)"),
    ("ramtid.ClientEvent", "ramtid_clientevent",
     f"personal_number = lpad(pgh_obj_id::text, 12, '0'), {_CLIENT}", "pgh_obj_id = ANY($1)"),
    ("ramtid.ClientRelative", "ramtid_clientrelative", None, _C),
    ("ramtid.ClientRelativeEvent", "ramtid_clientrelativeevent",
     "name = '[gallrad]', relationship = '', phone = '', email = ''", _C),
    ("bestallning.Decision", "bestallning_decision", _DECISION, _C),
    ("bestallning.DecisionEvent", "bestallning_decisionevent", _DECISION, _C),
    ("bestallning.Order", "bestallning_order", _ORDER, _C),
    ("bestallning.OrderEvent", "bestallning_orderevent", _ORDER, _C),
    ("bestallning.OrderedIntervention", "bestallning_orderedintervention",
     _texts("description", "client_goal"), _O),
    ("bestallning.OrderedInterventionEvent", "bestallning_orderedinterventionevent",
     _texts("description", "client_goal"), _O),
    ("bestallning.NeedChangeReport", "bestallning_needchangereport",
     _texts("description", "answer_reason"), _O),
    ("bestallning.NeedChangeReportEvent", "bestallning_needchangereportevent",
     _texts("description", "answer_reason"), _O),
    ("genomforandeplan.ImplementationPlan", "genomforandeplan_implementationplan", _PLAN, _C),
    ("genomforandeplan.ImplementationPlanEvent", "genomforandeplan_implementationplanevent",
     _PLAN, _C),
    ("genomforandeplan.PlanItem", "genomforandeplan_planitem", _texts(*_HEADINGS), _P),
    ("genomforandeplan.PlanItemEvent", "genomforandeplan_planitemevent", _texts(*_HEADINGS), _P),
    ("genomforandeplan.PlanVersion", "genomforandeplan_planversion",
     "snapshot = public.uppfoljning_redacted_snapshot(snapshot)", _P),
    ("genomforandeplan.PlanReview", "genomforandeplan_planreview", _texts("comment"), _V),
    ("genomforandeplan.PlanFollowUp", "genomforandeplan_planfollowup", _texts("notes"), _P),
    ("genomforandeplan.PlanFollowUpEvent", "genomforandeplan_planfollowupevent",
     _texts("notes"), _P),
    # Only the visits with a reason: a client has thousands, most without one.
    ("uppfoljning.PerformedVisit", "uppfoljning_performedvisit", _texts("reason"),
     f"{_C} AND reason <> '' AND reason <> '[gallrad]'"),
    ("uppfoljning.MonthlyTimeResult", "uppfoljning_monthlytimeresult",
     _texts("explanation_text", "decision_reason"), _C),
    ("uppfoljning.MonthlyTimeResultEvent", "uppfoljning_monthlytimeresultevent",
     _texts("explanation_text", "decision_reason"), _C),
    ("uppfoljning.IndividualReview", "uppfoljning_individualreview", _REVIEW, _C),
    ("uppfoljning.IndividualReviewEvent", "uppfoljning_individualreviewevent", _REVIEW, _C),
]  # fmt: skip


def _quote(text: str | None) -> str:
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


_STEP_ROWS = ",\n            ".join(
    f"({n}, {_quote(kind)}, {_quote(table)}, {_quote(assignments)}, {_quote(condition)})"
    for n, (kind, table, assignments, condition) in enumerate(STEPS, start=1)
)

WORK = f"""
CREATE OR REPLACE FUNCTION public.uppfoljning_retention_work(p_clients bigint[], p_apply boolean)
RETURNS jsonb LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $function$
    DECLARE
        step record;
        touched bigint;
        counts jsonb := '{{}}'::jsonb;
    BEGIN
        FOR step IN
            SELECT * FROM (VALUES
            {_STEP_ROWS}
            ) AS s (position, kind, tbl, assignments, condition) ORDER BY s.position
        LOOP
            IF NOT p_apply THEN
                EXECUTE format('SELECT count(*) FROM public.%I WHERE %s', step.tbl, step.condition)
                INTO touched USING p_clients;
            ELSIF step.assignments IS NULL THEN
                EXECUTE format('DELETE FROM public.%I WHERE %s', step.tbl, step.condition)
                USING p_clients;
                GET DIAGNOSTICS touched = ROW_COUNT;
            ELSE
                EXECUTE format('UPDATE public.%I SET %s WHERE %s',
                               step.tbl, step.assignments, step.condition)
                USING p_clients;
                GET DIAGNOSTICS touched = ROW_COUNT;
            END IF;
            counts := counts || jsonb_build_object(step.kind, touched);
        END LOOP;
        RETURN counts;
    END;
$function$
"""

COUNT = """
CREATE OR REPLACE FUNCTION public.uppfoljning_retention_count(p_clients bigint[])
RETURNS jsonb LANGUAGE sql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$ SELECT public.uppfoljning_retention_work(p_clients, false) $$
"""

REMOVE = """
CREATE OR REPLACE FUNCTION public.uppfoljning_retention_remove(
    p_report bigint, p_clients bigint[], p_kept jsonb, p_started_by text
)
RETURNS bigint LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $function$
    DECLARE
        v_today date := public.uppfoljning_local_day(now());
        v_clients bigint[];
        v_due bigint[];
        v_municipality bigint;
        v_listed bigint[];
        v_years integer;
        v_counts jsonb;
        v_ignored text;
        v_run bigint;
    BEGIN
        v_clients := ARRAY(SELECT DISTINCT c FROM unnest(p_clients) AS u (c)
                           WHERE c IS NOT NULL ORDER BY c);
        IF cardinality(v_clients) = 0 THEN
            RAISE EXCEPTION 'retention: no clients given';
        END IF;
        SELECT r.municipality_id, r.client_ids INTO v_municipality, v_listed
        FROM public.uppfoljning_retentionrun r WHERE r.id = p_report AND r.kind = 'report';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'retention: % is not a retention report', p_report
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT v_clients <@ v_listed THEN
            RAISE EXCEPTION 'retention: not every client is in report %', p_report
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- The clients locked before the check: an entry written meanwhile waits for this.
        PERFORM 1 FROM public.ramtid_client c WHERE c.id = ANY(v_clients) ORDER BY c.id
        FOR UPDATE;
        v_due := ARRAY(SELECT d.client_id
                       FROM public.uppfoljning_retention_due(v_municipality, v_today) AS d
                       WHERE NOT d.research_sample);
        IF NOT v_clients <@ v_due THEN
            RAISE EXCEPTION 'retention: client % is not due for removal',
                (SELECT min(c) FROM unnest(v_clients) AS u (c) WHERE c <> ALL (v_due))
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- The removal itself is recorded below, not as an audit event per row; and it may
        -- write the append-only tables. Only here: the setting is put back afterwards.
        v_ignored := current_setting('pgtrigger.ignore', true);
        PERFORM set_config('pgtrigger.ignore', (
            SELECT '{' || string_agg(DISTINCT t.tgname::text, ',') || '}'
            FROM pg_trigger t WHERE NOT t.tgisinternal AND t.tgname LIKE 'pgtrigger\\_%'
        ), true);
        v_counts := public.uppfoljning_retention_work(v_clients, true);
        PERFORM set_config('pgtrigger.ignore', coalesce(nullif(v_ignored, ''), '{}'), true);
        SELECT m.retention_years INTO v_years
        FROM public.ramtid_municipality m WHERE m.id = v_municipality;
        INSERT INTO public.uppfoljning_retentionrun (
            municipality_id, kind, on_date, retention_years, cutoff, created_at, started_by,
            client_ids, counts, kept, report_id
        ) VALUES (
            v_municipality, 'removal', v_today, v_years,
            (v_today - make_interval(years => v_years))::date, now(),
            left(coalesce(p_started_by, ''), 100), v_clients, v_counts,
            coalesce(p_kept, '{}'::jsonb), p_report
        ) RETURNING id INTO v_run;
        RETURN v_run;
    END;
$function$
"""

# Only the owner calls these; the application role is granted the two entry points by
# ramtid/database_roles.py (OWNER_FUNCTIONS).
PRIVATE = (
    "public.uppfoljning_retention_work(bigint[], boolean)",
    "public.uppfoljning_retention_count(bigint[])",
    "public.uppfoljning_retention_remove(bigint, bigint[], jsonb, text)",
)

FUNCTIONS = (
    *PRIVATE,
    "public.uppfoljning_retention_due(bigint, date)",
    "public.uppfoljning_retention_last_entry(bigint)",
    "public.uppfoljning_retention_versions(bigint[])",
    "public.uppfoljning_retention_plans(bigint[])",
    "public.uppfoljning_retention_decisions(bigint[])",
    "public.uppfoljning_retention_orders(bigint[])",
    "public.uppfoljning_redacted_snapshot(jsonb)",
    "public.uppfoljning_redacted_reasons(jsonb)",
    "public.uppfoljning_redacted(jsonb, text[])",
    "public.uppfoljning_redacted(varchar[])",
    "public.uppfoljning_redacted(text)",
    "public.uppfoljning_local_day(timestamptz)",
)


class Migration(migrations.Migration):
    dependencies = [
        # 0008 adds Municipality.retention_years, which the rule reads.
        ("ramtid", "0008_security_models"),
        # 0011 adds Client.removed_on, which the removal sets.
        ("ramtid", "0011_log_review_protected_client_removed"),
        ("bestallning", "0006_order_ordered_minutes"),
        ("genomforandeplan", "0004_plan_returned_index"),
        ("uppfoljning", "0003_visit_import_functions"),
    ]

    operations = [
        migrations.CreateModel(
            name="RetentionRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("report", "Förhandsrapport"), ("removal", "Gallring")],
                        max_length=10,
                        verbose_name="typ",
                    ),
                ),
                ("on_date", models.DateField(verbose_name="gäller per")),
                (
                    "retention_years",
                    models.PositiveSmallIntegerField(verbose_name="gallringsfrist, år"),
                ),
                ("cutoff", models.DateField(verbose_name="senaste anteckning senast")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="skapad")),
                (
                    "started_by",
                    models.CharField(blank=True, max_length=100, verbose_name="startad av"),
                ),
                (
                    "client_ids",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(),
                        blank=True,
                        default=list,
                        size=None,
                        verbose_name="brukare (id)",
                    ),
                ),
                (
                    "counts",
                    models.JSONField(blank=True, default=dict, verbose_name="rader per slag"),
                ),
                ("kept", models.JSONField(blank=True, default=dict, verbose_name="sparade")),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ramtid.municipality",
                        verbose_name="kommun",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="removals",
                        to="uppfoljning.retentionrun",
                        verbose_name="förhandsrapport",
                    ),
                ),
            ],
            options={
                "verbose_name": "gallringskörning",
                "verbose_name_plural": "gallringskörningar",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["municipality", "kind", "-created_at"], name="retention_run_latest"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "report"), ("report__isnull", True)),
                            models.Q(("kind", "removal"), ("report__isnull", False)),
                            _connector="OR",
                        ),
                        name="retention_run_removal_has_report",
                    )
                ],
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="retentionrun",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="95fb33190a0727460493035542bec758d8609c2b",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_ef867",
                    table="uppfoljning_retentionrun",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunSQL(
            sql=[
                LOCAL_DAY,
                REDACTED_TEXT,
                REDACTED_ARRAY,
                REDACTED_JSON,
                REDACTED_REASONS,
                REDACTED_SNAPSHOT,
                LINKS,
                LAST_ENTRY,
                DUE,
                WORK,
                COUNT,
                REMOVE,
                *(f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC" for f in PRIVATE),
            ],
            reverse_sql=[f"DROP FUNCTION IF EXISTS {f}" for f in FUNCTIONS],
        ),
    ]
