-- CreateTable
CREATE TABLE "live_events" (
    "id" BIGSERIAL NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "machine_id" UUID,
    "job_id" UUID,
    "payload" JSONB NOT NULL,

    CONSTRAINT "live_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "live_events_created_at_idx" ON "live_events"("created_at");

-- Triggers (not expressible in schema.prisma): every job status change and every machine_state change becomes a
-- live event, and the id is NOTIFYed so the gateway pushes it at once (docs/adr/0009-live-events.md).
CREATE FUNCTION su_live_event(p_type TEXT, p_machine UUID, p_job UUID, p_payload JSONB) RETURNS VOID AS $$
DECLARE new_id BIGINT;
BEGIN
  INSERT INTO "live_events" ("type", "machine_id", "job_id", "payload") VALUES (p_type, p_machine, p_job, p_payload) RETURNING "id" INTO new_id;
  PERFORM pg_notify('su_live_events', new_id::TEXT);
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION su_jobs_live_event() RETURNS TRIGGER AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW."status" IS DISTINCT FROM OLD."status" THEN
    PERFORM su_live_event('job.status', NEW."machine_id", NEW."id", jsonb_build_object(
      'jobId', NEW."id", 'kind', NEW."kind", 'machineId', NEW."machine_id", 'status', NEW."status",
      'errorKind', NEW."error_kind", 'requestId', NEW."request_id", 'scheduleId', NEW."schedule_id"));
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "jobs_live_event" AFTER INSERT OR UPDATE OF "status" ON "jobs" FOR EACH ROW EXECUTE FUNCTION su_jobs_live_event();

CREATE FUNCTION su_machine_state_live_event() RETURNS TRIGGER AS $$
BEGIN
  PERFORM su_live_event('machine.state', NEW."machine_id", NEW."running_job_id", jsonb_build_object(
    'machineId', NEW."machine_id", 'status', NEW."status", 'aptStatus', NEW."apt_status",
    'aptUpdatesCount', NEW."apt_updates_count", 'aptSecurityCount', NEW."apt_security_count",
    'aptRebootRequired', NEW."apt_reboot_required", 'blocked', NEW."blocked", 'runningJobId', NEW."running_job_id",
    'lastErrorKind', NEW."last_error_kind"));
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "machine_state_live_event" AFTER INSERT OR UPDATE ON "machine_state" FOR EACH ROW EXECUTE FUNCTION su_machine_state_live_event();
