-- A schedule run's fan-out inserts every step of every machine (`waiting` jobs) and every machine (`pending`): for
-- 1,000 machines that was 4,000 live events and notifications in one transaction, about half of its time, for rows
-- nobody acts on yet. They become live events when they change: a step when it is released (`queued`), a machine
-- when it starts. Every other insert and change is published as before.
CREATE OR REPLACE FUNCTION su_jobs_live_event() RETURNS TRIGGER AS $$
BEGIN
  IF (TG_OP = 'INSERT' AND NEW."status" <> 'waiting') OR (TG_OP = 'UPDATE' AND NEW."status" IS DISTINCT FROM OLD."status") THEN
    PERFORM su_live_event('job.status', NEW."machine_id", NEW."id", jsonb_build_object(
      'jobId', NEW."id", 'kind', NEW."kind", 'machineId', NEW."machine_id", 'status', NEW."status",
      'errorKind', NEW."error_kind", 'requestId', NEW."request_id", 'scheduleId', NEW."schedule_id"));
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION su_schedule_run_machines_live_event() RETURNS TRIGGER AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW."status" IS DISTINCT FROM OLD."status" OR NEW."current_step" IS DISTINCT FROM OLD."current_step") THEN
    PERFORM su_live_event('schedule_run.machine', NEW."machine_id", NULL, jsonb_build_object(
      'runId', NEW."run_id", 'machineId', NEW."machine_id", 'status', NEW."status", 'currentStep', NEW."current_step",
      'errorKind', NEW."error_kind"));
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
