-- AlterTable
ALTER TABLE "jobs" ADD COLUMN     "parent_job_id" UUID;

-- AlterTable
ALTER TABLE "schedules" ADD COLUMN     "maintenance_options" JSONB;

-- AlterTable
ALTER TABLE "machine_locks" ADD COLUMN     "part_job_id" UUID;

-- CreateTable
CREATE TABLE "maintenance_runs" (
    "job_id" UUID NOT NULL,
    "machine_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "current_part" TEXT,
    "options" JSONB NOT NULL,
    "plan_hash" TEXT,
    "plan" JSONB,
    "parts" JSONB NOT NULL,
    "execution_id" UUID,
    "report_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),

    CONSTRAINT "maintenance_runs_pkey" PRIMARY KEY ("job_id")
);

-- CreateIndex
CREATE INDEX "maintenance_runs_machine_id_created_at_idx" ON "maintenance_runs"("machine_id", "created_at");
