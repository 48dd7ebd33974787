-- AlterTable
ALTER TABLE "machine_state" ADD COLUMN     "docker_alerts_open" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "docker_last_check_at" TIMESTAMPTZ(6),
ADD COLUMN     "docker_last_scan_at" TIMESTAMPTZ(6);

-- CreateTable
CREATE TABLE "docker_settings" (
    "machine_id" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "scan_depth" INTEGER NOT NULL DEFAULT 4,
    "prune_mode" TEXT NOT NULL DEFAULT 'safe',
    "last_scan_at" TIMESTAMPTZ(6),
    "last_pull_check_at" TIMESTAMPTZ(6),
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "docker_settings_pkey" PRIMARY KEY ("machine_id")
);

-- CreateTable
CREATE TABLE "docker_compose_roots" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID NOT NULL,
    "path" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "scan_depth" INTEGER,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "docker_compose_roots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "docker_compose_stacks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "working_dir" TEXT NOT NULL,
    "compose_files_json" JSONB NOT NULL,
    "project_name" TEXT,
    "env_file" TEXT,
    "status" TEXT NOT NULL,
    "choice" TEXT NOT NULL DEFAULT 'candidate',
    "detected_by" TEXT,
    "error_message" TEXT,
    "last_scan_at" TIMESTAMPTZ(6),
    "last_update_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "docker_compose_stacks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "docker_stack_services" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "stack_id" UUID NOT NULL,
    "service_name" TEXT NOT NULL,
    "image_ref" TEXT,
    "current_image_id" TEXT,
    "current_digest" TEXT,
    "candidate_image_id" TEXT,
    "candidate_digest" TEXT,
    "version_label" TEXT,
    "source_url" TEXT,
    "status" TEXT,
    "status_reason" TEXT,
    "container_state" TEXT,
    "container_health" TEXT,
    "newer_same_major" TEXT,
    "newer_overall" TEXT,
    "checked_at" TIMESTAMPTZ(6),
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "docker_stack_services_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "docker_image_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "execution_id" UUID,
    "machine_id" UUID NOT NULL,
    "stack_id" UUID,
    "service_name" TEXT,
    "image_ref" TEXT,
    "from_ref" TEXT,
    "from_image_id" TEXT,
    "to_image_id" TEXT,
    "from_digest" TEXT,
    "to_digest" TEXT,
    "operation" TEXT NOT NULL,
    "bytes_reclaimed" BIGINT,
    "dedup_key" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "docker_image_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "docker_alerts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID NOT NULL,
    "stack_id" UUID,
    "container_name" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "message" TEXT,
    "opened_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(6),
    "acknowledged_at" TIMESTAMPTZ(6),
    "acknowledged_by" TEXT,
    "last_notified_at" TIMESTAMPTZ(6),

    CONSTRAINT "docker_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "docker_registries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "host" TEXT NOT NULL,
    "insecure" BOOLEAN NOT NULL DEFAULT false,
    "request_budget" INTEGER,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "docker_registries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "docker_registry_credentials" (
    "registry_id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "enc_password" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "docker_registry_credentials_pkey" PRIMARY KEY ("registry_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "docker_compose_roots_machine_id_path_key" ON "docker_compose_roots"("machine_id", "path");

-- CreateIndex
CREATE INDEX "docker_compose_stacks_machine_id_status_idx" ON "docker_compose_stacks"("machine_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "docker_compose_stacks_machine_id_name_key" ON "docker_compose_stacks"("machine_id", "name");

-- CreateIndex
CREATE INDEX "docker_stack_services_stack_id_status_idx" ON "docker_stack_services"("stack_id", "status");

-- CreateIndex
CREATE INDEX "docker_stack_services_image_ref_idx" ON "docker_stack_services"("image_ref");

-- CreateIndex
CREATE UNIQUE INDEX "docker_stack_services_stack_id_service_name_key" ON "docker_stack_services"("stack_id", "service_name");

-- CreateIndex
CREATE INDEX "docker_image_events_machine_id_created_at_idx" ON "docker_image_events"("machine_id", "created_at");

-- CreateIndex
CREATE INDEX "docker_image_events_execution_id_idx" ON "docker_image_events"("execution_id");

-- CreateIndex
CREATE INDEX "docker_alerts_machine_id_closed_at_idx" ON "docker_alerts"("machine_id", "closed_at");

-- CreateIndex
CREATE UNIQUE INDEX "docker_registries_host_key" ON "docker_registries"("host");

-- AddForeignKey
ALTER TABLE "docker_settings" ADD CONSTRAINT "docker_settings_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "docker_compose_roots" ADD CONSTRAINT "docker_compose_roots_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "docker_compose_stacks" ADD CONSTRAINT "docker_compose_stacks_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "docker_stack_services" ADD CONSTRAINT "docker_stack_services_stack_id_fkey" FOREIGN KEY ("stack_id") REFERENCES "docker_compose_stacks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "docker_image_events" ADD CONSTRAINT "docker_image_events_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "docker_image_events" ADD CONSTRAINT "docker_image_events_execution_id_fkey" FOREIGN KEY ("execution_id") REFERENCES "executions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "docker_alerts" ADD CONSTRAINT "docker_alerts_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "docker_registry_credentials" ADD CONSTRAINT "docker_registry_credentials_registry_id_fkey" FOREIGN KEY ("registry_id") REFERENCES "docker_registries"("id") ON DELETE CASCADE ON UPDATE CASCADE;
