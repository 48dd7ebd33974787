-- CreateTable
CREATE TABLE "ssh_terminal_sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID NOT NULL,
    "opened_by_type" TEXT NOT NULL,
    "opened_by_id" TEXT NOT NULL,
    "opened_by_label" TEXT NOT NULL,
    "client_address" TEXT,
    "ssh_username" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "end_reason" TEXT,
    "closed_by_label" TEXT,
    "input_logging" BOOLEAN NOT NULL,
    "host_key_fingerprint" TEXT,
    "opened_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(6),
    "duration_ms" INTEGER,

    CONSTRAINT "ssh_terminal_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ssh_terminal_commands" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "session_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "line" TEXT,
    "hidden" BOOLEAN NOT NULL DEFAULT false,
    "entered_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ssh_terminal_commands_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ssh_terminal_sessions_opened_at_idx" ON "ssh_terminal_sessions"("opened_at" DESC);

-- CreateIndex
CREATE INDEX "ssh_terminal_sessions_machine_id_opened_at_idx" ON "ssh_terminal_sessions"("machine_id", "opened_at" DESC);

-- CreateIndex
CREATE INDEX "ssh_terminal_sessions_status_idx" ON "ssh_terminal_sessions"("status");

-- CreateIndex
CREATE UNIQUE INDEX "ssh_terminal_commands_session_id_seq_key" ON "ssh_terminal_commands"("session_id", "seq");

-- AddForeignKey
ALTER TABLE "ssh_terminal_sessions" ADD CONSTRAINT "ssh_terminal_sessions_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ssh_terminal_commands" ADD CONSTRAINT "ssh_terminal_commands_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "ssh_terminal_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
