-- AlterTable
ALTER TABLE "mcp_audit_log" ADD COLUMN     "execution_id" UUID,
ADD COLUMN     "raw_bytes" BIGINT,
ADD COLUMN     "reduced_bytes" INTEGER;

-- CreateTable
CREATE TABLE "hermes_sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "api_client_id" UUID,
    "source" TEXT NOT NULL,
    "session_key" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_message_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hermes_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "hermes_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "session_id" UUID NOT NULL,
    "prompt_kind" TEXT,
    "status" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(6) NOT NULL,
    "finished_at" TIMESTAMPTZ(6),
    "request_json" JSONB,
    "response_json" JSONB,
    "report_id" UUID,

    CONSTRAINT "hermes_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "hermes_usage" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "run_id" UUID NOT NULL,
    "api_client_id" UUID,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "prompt_tokens" INTEGER NOT NULL,
    "cached_tokens" INTEGER NOT NULL,
    "completion_tokens" INTEGER NOT NULL,
    "total_tokens" INTEGER NOT NULL,
    "raw_bytes" BIGINT NOT NULL,
    "reduced_bytes" BIGINT NOT NULL,
    "reduction_ratio" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hermes_usage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "hermes_sessions_api_client_id_session_key_key" ON "hermes_sessions"("api_client_id", "session_key");

-- CreateIndex
CREATE INDEX "hermes_runs_session_id_started_at_idx" ON "hermes_runs"("session_id", "started_at" DESC);

-- CreateIndex
CREATE INDEX "hermes_usage_run_id_idx" ON "hermes_usage"("run_id");

-- CreateIndex
CREATE INDEX "hermes_usage_created_at_api_client_id_idx" ON "hermes_usage"("created_at", "api_client_id");

-- AddForeignKey
ALTER TABLE "hermes_runs" ADD CONSTRAINT "hermes_runs_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "hermes_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "hermes_usage" ADD CONSTRAINT "hermes_usage_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "hermes_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
