-- Live events of jobs and schedule-run machines, written once per statement instead of once per row (ADR 0046).
-- A fan-out releasing 1,000 machines updated 1,000 jobs and 1,000 run machines: 2,000 trigger calls, each an INSERT
-- and a NOTIFY. The same events (same types, payloads and order) are now one INSERT … SELECT over the statement's
-- transition table and one NOTIFY: the gateway reads every row after the last it delivered, whatever the payload.
-- `waiting` jobs and newly inserted run machines still raise no event (20261123172140_quiet_fan_out); statements that
-- change nothing the UI shows write nothing.
DROP TRIGGER "jobs_live_event" ON "jobs";
DROP FUNCTION su_jobs_live_event();
DROP TRIGGER "schedule_run_machines_live_event" ON "schedule_run_machines";
DROP FUNCTION su_schedule_run_machines_live_event();

CREATE FUNCTION su_jobs_live_events() RETURNS TRIGGER AS $$
DECLARE
  n BIGINT;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "live_events" ("type", "machine_id", "job_id", "payload")
    SELECT 'job.status', j."machine_id", j."id", jsonb_build_object(
      'jobId', j."id", 'kind', j."kind", 'machineId', j."machine_id", 'status', j."status",
      'errorKind', j."error_kind", 'requestId', j."request_id", 'scheduleId', j."schedule_id")
    FROM new_rows j WHERE j."status" <> 'waiting';
  ELSE
    INSERT INTO "live_events" ("type", "machine_id", "job_id", "payload")
    SELECT 'job.status', j."machine_id", j."id", jsonb_build_object(
      'jobId', j."id", 'kind', j."kind", 'machineId', j."machine_id", 'status', j."status",
      'errorKind', j."error_kind", 'requestId', j."request_id", 'scheduleId', j."schedule_id")
    FROM new_rows j JOIN old_rows o ON o."id" = j."id" WHERE j."status" IS DISTINCT FROM o."status";
  END IF;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN PERFORM pg_notify('su_live_events', n::TEXT); END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "jobs_live_events_ins" AFTER INSERT ON "jobs"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION su_jobs_live_events();
CREATE TRIGGER "jobs_live_events_upd" AFTER UPDATE ON "jobs"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION su_jobs_live_events();

CREATE FUNCTION su_schedule_run_machines_live_events() RETURNS TRIGGER AS $$
DECLARE
  n BIGINT;
BEGIN
  INSERT INTO "live_events" ("type", "machine_id", "job_id", "payload")
  SELECT 'schedule_run.machine', m."machine_id", NULL, jsonb_build_object(
    'runId', m."run_id", 'machineId', m."machine_id", 'status', m."status", 'currentStep', m."current_step",
    'errorKind', m."error_kind")
  FROM new_rows m JOIN old_rows o ON o."id" = m."id"
  WHERE m."status" IS DISTINCT FROM o."status" OR m."current_step" IS DISTINCT FROM o."current_step";
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN PERFORM pg_notify('su_live_events', n::TEXT); END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "schedule_run_machines_live_events_upd" AFTER UPDATE ON "schedule_run_machines"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION su_schedule_run_machines_live_events();
