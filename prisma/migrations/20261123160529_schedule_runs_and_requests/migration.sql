-- AlterTable
ALTER TABLE "api_clients" ADD COLUMN     "machine_scope_json" JSONB;

-- AlterTable
ALTER TABLE "jobs" ADD COLUMN     "run_machine_id" UUID,
ADD COLUMN     "step" INTEGER;

-- AlterTable
ALTER TABLE "action_requests" ADD COLUMN     "allow_plan_superset" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "decision_note" TEXT,
ADD COLUMN     "executed_at" TIMESTAMPTZ(6),
ADD COLUMN     "job_id" UUID,
ADD COLUMN     "plan_hash" TEXT,
ADD COLUMN     "rejected_at" TIMESTAMPTZ(6),
ADD COLUMN     "rejected_by" TEXT,
ADD COLUMN     "requested_by_label" TEXT,
ADD COLUMN     "schedule_run_id" UUID,
ADD COLUMN     "snapshot_id" UUID;

-- CreateTable
CREATE TABLE "schedule_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "schedule_id" UUID NOT NULL,
    "slot_at" TIMESTAMPTZ(6) NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "fired_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "fired_by" TEXT,
    "finished_at" TIMESTAMPTZ(6),
    "window_ends_at" TIMESTAMPTZ(6),
    "concurrency" INTEGER NOT NULL DEFAULT 1,
    "actions_json" JSONB NOT NULL,
    "approval_policy" TEXT NOT NULL DEFAULT 'none',
    "machine_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "schedule_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedule_run_machines" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "run_id" UUID NOT NULL,
    "machine_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "current_step" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    "error_kind" TEXT,
    "error_message" TEXT,

    CONSTRAINT "schedule_run_machines_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "schedule_runs_status_idx" ON "schedule_runs"("status");

-- CreateIndex
CREATE UNIQUE INDEX "schedule_runs_schedule_id_slot_at_key" ON "schedule_runs"("schedule_id", "slot_at");

-- CreateIndex
CREATE INDEX "schedule_run_machines_run_id_status_position_idx" ON "schedule_run_machines"("run_id", "status", "position");

-- CreateIndex
CREATE UNIQUE INDEX "schedule_run_machines_run_id_machine_id_key" ON "schedule_run_machines"("run_id", "machine_id");

-- CreateIndex
CREATE INDEX "jobs_run_machine_id_step_idx" ON "jobs"("run_machine_id", "step");

-- CreateIndex
CREATE UNIQUE INDEX "action_requests_job_id_key" ON "action_requests"("job_id");

-- CreateIndex
CREATE INDEX "action_requests_status_expires_at_idx" ON "action_requests"("status", "expires_at");

-- AddForeignKey
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_run_machine_id_fkey" FOREIGN KEY ("run_machine_id") REFERENCES "schedule_run_machines"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedule_runs" ADD CONSTRAINT "schedule_runs_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "schedules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedule_run_machines" ADD CONSTRAINT "schedule_run_machines_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "schedule_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedule_run_machines" ADD CONSTRAINT "schedule_run_machines_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "action_requests" ADD CONSTRAINT "action_requests_schedule_run_id_fkey" FOREIGN KEY ("schedule_run_id") REFERENCES "schedule_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Triggers (not expressible in schema.prisma): new action requests and their decisions, and each machine's progress
-- through a schedule run, become live events like job status changes (docs/adr/0009-live-events.md).
CREATE FUNCTION su_action_requests_live_event() RETURNS TRIGGER AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW."status" IS DISTINCT FROM OLD."status" THEN
    PERFORM su_live_event('action_request.status', NEW."machine_id", NEW."job_id", jsonb_build_object(
      'requestId', NEW."id", 'machineId', NEW."machine_id", 'action', NEW."action", 'risk', NEW."risk",
      'status', NEW."status", 'requestedByType', NEW."requested_by_type", 'jobId', NEW."job_id",
      'expiresAt', NEW."expires_at"));
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER "action_requests_live_event" AFTER INSERT OR UPDATE OF "status" ON "action_requests" FOR EACH ROW EXECUTE FUNCTION su_action_requests_live_event();

CREATE FUNCTION su_schedule_run_machines_live_event() RETURNS TRIGGER AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW."status" IS DISTINCT FROM OLD."status" OR NEW."current_step" IS DISTINCT FROM OLD."current_step" THEN
    PERFORM su_live_event('schedule_run.machine', NEW."machine_id", NULL, jsonb_build_object(
      'runId', NEW."run_id", 'machineId', NEW."machine_id", 'status', NEW."status", 'currentStep', NEW."current_step",
      'errorKind', NEW."error_kind"));
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER "schedule_run_machines_live_event" AFTER INSERT OR UPDATE OF "status", "current_step" ON "schedule_run_machines" FOR EACH ROW EXECUTE FUNCTION su_schedule_run_machines_live_event();
