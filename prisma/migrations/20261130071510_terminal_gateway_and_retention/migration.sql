-- AlterTable
ALTER TABLE "ssh_terminal_sessions" ADD COLUMN     "gateway_id" TEXT,
ADD COLUMN     "heartbeat_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "ssh_terminal_commands_entered_at_idx" ON "ssh_terminal_commands"("entered_at");
