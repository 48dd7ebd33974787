-- The live events of jobs and of schedule runs' machines also carry when they started. A job that runs for under a
-- second can reach the browser as `queued` then `ok` in one burst; with `startedAt` the page still knows it ran, and
-- shows that it did (apps/web/src/live/use-stepped-status.ts). Same statements as
-- 20261130072500_set_based_live_events otherwise.
CREATE OR REPLACE FUNCTION su_jobs_live_events() RETURNS TRIGGER AS $$
DECLARE
  n BIGINT;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "live_events" ("type", "machine_id", "job_id", "payload")
    SELECT 'job.status', j."machine_id", j."id", jsonb_build_object(
      'jobId', j."id", 'kind', j."kind", 'machineId', j."machine_id", 'status', j."status",
      'errorKind', j."error_kind", 'requestId', j."request_id", 'scheduleId', j."schedule_id",
      'startedAt', j."started_at")
    FROM new_rows j WHERE j."status" <> 'waiting';
  ELSE
    INSERT INTO "live_events" ("type", "machine_id", "job_id", "payload")
    SELECT 'job.status', j."machine_id", j."id", jsonb_build_object(
      'jobId', j."id", 'kind', j."kind", 'machineId', j."machine_id", 'status', j."status",
      'errorKind', j."error_kind", 'requestId', j."request_id", 'scheduleId', j."schedule_id",
      'startedAt', j."started_at")
    FROM new_rows j JOIN old_rows o ON o."id" = j."id" WHERE j."status" IS DISTINCT FROM o."status";
  END IF;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN PERFORM pg_notify('su_live_events', n::TEXT); END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION su_schedule_run_machines_live_events() RETURNS TRIGGER AS $$
DECLARE
  n BIGINT;
BEGIN
  INSERT INTO "live_events" ("type", "machine_id", "job_id", "payload")
  SELECT 'schedule_run.machine', m."machine_id", NULL, jsonb_build_object(
    'runId', m."run_id", 'machineId', m."machine_id", 'status', m."status", 'currentStep', m."current_step",
    'errorKind', m."error_kind", 'startedAt', m."started_at")
  FROM new_rows m JOIN old_rows o ON o."id" = m."id"
  WHERE m."status" IS DISTINCT FROM o."status" OR m."current_step" IS DISTINCT FROM o."current_step";
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN PERFORM pg_notify('su_live_events', n::TEXT); END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
