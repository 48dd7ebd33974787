-- CreateTable
CREATE TABLE "mcp_audit_log" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "api_client_id" UUID,
    "actor_label" TEXT NOT NULL,
    "tool" TEXT NOT NULL,
    "args_summary" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mcp_audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "mcp_audit_log_api_client_id_created_at_idx" ON "mcp_audit_log"("api_client_id", "created_at");
