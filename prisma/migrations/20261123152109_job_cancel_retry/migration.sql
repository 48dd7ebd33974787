-- AlterTable
ALTER TABLE "jobs" ADD COLUMN     "cancel_requested_at" TIMESTAMPTZ(6),
ADD COLUMN     "cancel_requested_by" TEXT,
ADD COLUMN     "retry_of_job_id" UUID;
