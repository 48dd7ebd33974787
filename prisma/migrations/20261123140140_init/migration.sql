-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "machines" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 22,
    "os_family" TEXT NOT NULL DEFAULT 'unknown',
    "os_version" TEXT,
    "os_codename" TEXT,
    "arch" TEXT,
    "machine_kind" TEXT NOT NULL DEFAULT 'unknown',
    "virtualization" TEXT,
    "hardware_profile" TEXT,
    "username" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'unknown',
    "notes" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(6),
    "deleted_at" TIMESTAMPTZ(6),

    CONSTRAINT "machines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "machine_credentials" (
    "machine_id" UUID NOT NULL,
    "auth_method" TEXT NOT NULL,
    "enc_password" TEXT,
    "enc_sudo_password" TEXT,
    "enc_private_key" TEXT,
    "enc_key_passphrase" TEXT,
    "sudo_mode" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_test_at" TIMESTAMPTZ(6),
    "status" TEXT NOT NULL DEFAULT 'unknown',

    CONSTRAINT "machine_credentials_pkey" PRIMARY KEY ("machine_id")
);

-- CreateTable
CREATE TABLE "machine_host_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID NOT NULL,
    "hostname" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "key_type" TEXT,
    "fingerprint_sha256" TEXT NOT NULL,
    "public_key" TEXT,
    "status" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approved_at" TIMESTAMPTZ(6),
    "approved_by" TEXT,

    CONSTRAINT "machine_host_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tags" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "color" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tags_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "machine_tags" (
    "machine_id" UUID NOT NULL,
    "tag_id" UUID NOT NULL,

    CONSTRAINT "machine_tags_pkey" PRIMARY KEY ("machine_id","tag_id")
);

-- CreateTable
CREATE TABLE "machine_state" (
    "machine_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'unknown',
    "apt_status" TEXT,
    "apt_updates_count" INTEGER NOT NULL DEFAULT 0,
    "apt_security_count" INTEGER NOT NULL DEFAULT 0,
    "apt_reboot_required" BOOLEAN NOT NULL DEFAULT false,
    "apt_last_analyze_at" TIMESTAMPTZ(6),
    "docker_status" TEXT,
    "docker_installed" BOOLEAN NOT NULL DEFAULT false,
    "docker_stacks_count" INTEGER NOT NULL DEFAULT 0,
    "docker_updates_count" INTEGER NOT NULL DEFAULT 0,
    "docker_prune_available" BOOLEAN NOT NULL DEFAULT false,
    "post_install_status" TEXT,
    "metrics_last_collected_at" TIMESTAMPTZ(6),
    "cpu_load1" DOUBLE PRECISION,
    "memory_used_percent" DOUBLE PRECISION,
    "root_used_percent" DOUBLE PRECISION,
    "disk_warnings_count" INTEGER NOT NULL DEFAULT 0,
    "hardware_warnings_count" INTEGER NOT NULL DEFAULT 0,
    "blocked" BOOLEAN NOT NULL DEFAULT false,
    "blocked_reason" TEXT,
    "running_job_id" UUID,
    "last_error_kind" TEXT,
    "last_error_message" TEXT,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "machine_state_pkey" PRIMARY KEY ("machine_id")
);

-- CreateTable
CREATE TABLE "app_settings" (
    "key" TEXT NOT NULL,
    "value_json" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,

    CONSTRAINT "app_settings_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "username" TEXT NOT NULL,
    "email" TEXT,
    "display_name" TEXT,
    "password_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'admin',
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_login_at" TIMESTAMPTZ(6),
    "password_changed_at" TIMESTAMPTZ(6),
    "deleted_at" TIMESTAMPTZ(6),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(6),
    "revoked_at" TIMESTAMPTZ(6),

    CONSTRAINT "user_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_clients" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "label" TEXT NOT NULL,
    "client_kind" TEXT NOT NULL DEFAULT 'script',
    "token_hash" TEXT NOT NULL,
    "token_prefix" TEXT NOT NULL,
    "scopes_json" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(6),
    "expires_at" TIMESTAMPTZ(6),
    "revoked_at" TIMESTAMPTZ(6),
    "metadata_json" JSONB,

    CONSTRAINT "api_clients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "snapshots" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "schema_version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "important_json" JSONB,
    "raw_artifact_id" UUID,
    "source_job_id" UUID,

    CONSTRAINT "snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "executions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "schema_version" INTEGER NOT NULL DEFAULT 1,
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    "status" TEXT NOT NULL,
    "request_id" UUID,
    "job_id" UUID,
    "result" JSONB,
    "important_json" JSONB,
    "raw_artifact_id" UUID,
    "report_id" UUID,
    "exit_code" INTEGER,
    "error_kind" TEXT,
    "error_message" TEXT,

    CONSTRAINT "executions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "machine_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID,
    "event_type" TEXT NOT NULL,
    "severity" TEXT NOT NULL DEFAULT 'info',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" TEXT,
    "actor_id" TEXT,
    "snapshot_id" UUID,
    "execution_id" UUID,
    "job_id" UUID,
    "message" TEXT,
    "payload" JSONB,

    CONSTRAINT "machine_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "important_messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID,
    "source" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "package_name" TEXT,
    "component" TEXT,
    "message" TEXT NOT NULL,
    "dedup_key" TEXT,
    "raw_line_ref" TEXT,
    "snapshot_id" UUID,
    "execution_id" UUID,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged" BOOLEAN NOT NULL DEFAULT false,
    "acknowledged_at" TIMESTAMPTZ(6),
    "acknowledged_by" TEXT,
    "payload" JSONB,

    CONSTRAINT "important_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reports" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID,
    "execution_id" UUID,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "summary_json" JSONB,

    CONSTRAINT "reports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "raw_artifacts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID,
    "kind" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "bytes" BIGINT,
    "sha256" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6),
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "redacted" BOOLEAN NOT NULL DEFAULT true,
    "retention_policy" TEXT NOT NULL DEFAULT 'default',
    "deleted_at" TIMESTAMPTZ(6),
    "delete_reason" TEXT,
    "metadata_json" JSONB,

    CONSTRAINT "raw_artifacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" TEXT NOT NULL,
    "machine_id" UUID,
    "schedule_id" UUID,
    "request_id" UUID,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 1,
    "requested_by_type" TEXT,
    "requested_by_id" TEXT,
    "worker_id" TEXT,
    "payload" JSONB,
    "result" JSONB,
    "error_kind" TEXT,
    "error_message" TEXT,

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedules" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "cron" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "scope_json" JSONB NOT NULL,
    "actions_json" JSONB NOT NULL,
    "concurrency" INTEGER NOT NULL DEFAULT 1,
    "approval_policy" TEXT NOT NULL DEFAULT 'none',
    "notify_on_json" JSONB,
    "last_run_at" TIMESTAMPTZ(6),
    "next_run_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "machine_locks" (
    "machine_id" UUID NOT NULL,
    "job_id" UUID NOT NULL,
    "lock_kind" TEXT NOT NULL,
    "worker_id" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6),

    CONSTRAINT "machine_locks_pkey" PRIMARY KEY ("machine_id")
);

-- CreateTable
CREATE TABLE "action_requests" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID,
    "requested_by_type" TEXT NOT NULL,
    "requested_by_id" TEXT,
    "action" TEXT NOT NULL,
    "risk" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "summary" TEXT,
    "payload" JSONB,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approved_at" TIMESTAMPTZ(6),
    "approved_by" TEXT,
    "execution_id" UUID,
    "expires_at" TIMESTAMPTZ(6),

    CONSTRAINT "action_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "machines_hostname_port_idx" ON "machines"("hostname", "port");

-- CreateIndex
CREATE INDEX "machines_status_idx" ON "machines"("status");

-- CreateIndex
CREATE INDEX "machines_os_family_machine_kind_idx" ON "machines"("os_family", "machine_kind");

-- CreateIndex
CREATE INDEX "machines_hardware_profile_idx" ON "machines"("hardware_profile");

-- CreateIndex
CREATE INDEX "machines_deleted_at_idx" ON "machines"("deleted_at");

-- CreateIndex
CREATE INDEX "machine_host_keys_machine_id_status_idx" ON "machine_host_keys"("machine_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "machine_host_keys_machine_id_fingerprint_sha256_key" ON "machine_host_keys"("machine_id", "fingerprint_sha256");

-- CreateIndex
CREATE UNIQUE INDEX "tags_name_key" ON "tags"("name");

-- CreateIndex
CREATE INDEX "machine_tags_tag_id_idx" ON "machine_tags"("tag_id");

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "user_sessions_token_hash_key" ON "user_sessions"("token_hash");

-- CreateIndex
CREATE INDEX "user_sessions_user_id_idx" ON "user_sessions"("user_id");

-- CreateIndex
CREATE INDEX "user_sessions_expires_at_idx" ON "user_sessions"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "api_clients_token_hash_key" ON "api_clients"("token_hash");

-- CreateIndex
CREATE INDEX "api_clients_status_client_kind_idx" ON "api_clients"("status", "client_kind");

-- CreateIndex
CREATE INDEX "snapshots_machine_id_kind_created_at_idx" ON "snapshots"("machine_id", "kind", "created_at" DESC);

-- CreateIndex
CREATE INDEX "snapshots_kind_status_created_at_idx" ON "snapshots"("kind", "status", "created_at" DESC);

-- CreateIndex
CREATE INDEX "snapshots_payload_idx" ON "snapshots" USING GIN ("payload" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "executions_machine_id_started_at_idx" ON "executions"("machine_id", "started_at" DESC);

-- CreateIndex
CREATE INDEX "executions_action_status_started_at_idx" ON "executions"("action", "status", "started_at" DESC);

-- CreateIndex
CREATE INDEX "executions_job_id_idx" ON "executions"("job_id");

-- CreateIndex
CREATE INDEX "executions_request_id_idx" ON "executions"("request_id");

-- CreateIndex
CREATE INDEX "executions_result_idx" ON "executions" USING GIN ("result" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "machine_events_machine_id_created_at_idx" ON "machine_events"("machine_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "machine_events_event_type_created_at_idx" ON "machine_events"("event_type", "created_at" DESC);

-- CreateIndex
CREATE INDEX "important_messages_machine_id_severity_last_seen_at_idx" ON "important_messages"("machine_id", "severity", "last_seen_at" DESC);

-- CreateIndex
CREATE INDEX "important_messages_category_acknowledged_last_seen_at_idx" ON "important_messages"("category", "acknowledged", "last_seen_at" DESC);

-- CreateIndex
CREATE INDEX "important_messages_package_name_idx" ON "important_messages"("package_name");

-- CreateIndex
CREATE INDEX "important_messages_payload_idx" ON "important_messages" USING GIN ("payload" jsonb_path_ops);

-- CreateIndex
CREATE UNIQUE INDEX "important_messages_machine_id_dedup_key_key" ON "important_messages"("machine_id", "dedup_key");

-- CreateIndex
CREATE INDEX "reports_machine_id_created_at_idx" ON "reports"("machine_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "reports_kind_created_at_idx" ON "reports"("kind", "created_at" DESC);

-- CreateIndex
CREATE INDEX "raw_artifacts_machine_id_created_at_idx" ON "raw_artifacts"("machine_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "raw_artifacts_expires_at_idx" ON "raw_artifacts"("expires_at");

-- CreateIndex
CREATE INDEX "jobs_status_created_at_idx" ON "jobs"("status", "created_at");

-- CreateIndex
CREATE INDEX "jobs_machine_id_status_idx" ON "jobs"("machine_id", "status");

-- CreateIndex
CREATE INDEX "jobs_schedule_id_idx" ON "jobs"("schedule_id");

-- CreateIndex
CREATE INDEX "jobs_request_id_idx" ON "jobs"("request_id");

-- CreateIndex
CREATE INDEX "schedules_enabled_next_run_at_idx" ON "schedules"("enabled", "next_run_at");

-- CreateIndex
CREATE INDEX "machine_locks_expires_at_idx" ON "machine_locks"("expires_at");

-- CreateIndex
CREATE INDEX "action_requests_status_created_at_idx" ON "action_requests"("status", "created_at");

-- CreateIndex
CREATE INDEX "action_requests_machine_id_idx" ON "action_requests"("machine_id");

-- AddForeignKey
ALTER TABLE "machine_credentials" ADD CONSTRAINT "machine_credentials_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_host_keys" ADD CONSTRAINT "machine_host_keys_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_tags" ADD CONSTRAINT "machine_tags_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_tags" ADD CONSTRAINT "machine_tags_tag_id_fkey" FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_state" ADD CONSTRAINT "machine_state_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_raw_artifact_id_fkey" FOREIGN KEY ("raw_artifact_id") REFERENCES "raw_artifacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_source_job_id_fkey" FOREIGN KEY ("source_job_id") REFERENCES "jobs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "executions" ADD CONSTRAINT "executions_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "executions" ADD CONSTRAINT "executions_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "action_requests"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "executions" ADD CONSTRAINT "executions_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "executions" ADD CONSTRAINT "executions_raw_artifact_id_fkey" FOREIGN KEY ("raw_artifact_id") REFERENCES "raw_artifacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "executions" ADD CONSTRAINT "executions_report_id_fkey" FOREIGN KEY ("report_id") REFERENCES "reports"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_events" ADD CONSTRAINT "machine_events_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "important_messages" ADD CONSTRAINT "important_messages_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "important_messages" ADD CONSTRAINT "important_messages_snapshot_id_fkey" FOREIGN KEY ("snapshot_id") REFERENCES "snapshots"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "important_messages" ADD CONSTRAINT "important_messages_execution_id_fkey" FOREIGN KEY ("execution_id") REFERENCES "executions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_execution_id_fkey" FOREIGN KEY ("execution_id") REFERENCES "executions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "raw_artifacts" ADD CONSTRAINT "raw_artifacts_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "schedules"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "action_requests"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_locks" ADD CONSTRAINT "machine_locks_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_locks" ADD CONSTRAINT "machine_locks_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "action_requests" ADD CONSTRAINT "action_requests_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "action_requests" ADD CONSTRAINT "action_requests_execution_id_fkey" FOREIGN KEY ("execution_id") REFERENCES "executions"("id") ON DELETE SET NULL ON UPDATE CASCADE;
