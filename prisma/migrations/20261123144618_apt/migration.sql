-- CreateTable
CREATE TABLE "apt_planned_packages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "snapshot_id" UUID NOT NULL,
    "machine_id" UUID NOT NULL,
    "mode" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "arch" TEXT,
    "current_version" TEXT,
    "target_version" TEXT,
    "origin" TEXT,
    "operation" TEXT NOT NULL,
    "security" BOOLEAN NOT NULL DEFAULT false,
    "kept_back" BOOLEAN NOT NULL DEFAULT false,
    "held" BOOLEAN NOT NULL DEFAULT false,
    "phased" BOOLEAN NOT NULL DEFAULT false,
    "dedup_key" TEXT NOT NULL,
    "is_current" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "apt_planned_packages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "apt_applied_packages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "execution_id" UUID NOT NULL,
    "machine_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "arch" TEXT,
    "from_version" TEXT,
    "to_version" TEXT,
    "operation" TEXT NOT NULL,
    "origin" TEXT,
    "dedup_key" TEXT,

    CONSTRAINT "apt_applied_packages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "apt_errors" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "snapshot_id" UUID,
    "execution_id" UUID,
    "machine_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "important_lines_json" JSONB,
    "remediation" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "apt_errors_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "apt_planned_packages_dedup_key_idx" ON "apt_planned_packages"("dedup_key");

-- CreateIndex
CREATE INDEX "apt_planned_packages_machine_id_name_idx" ON "apt_planned_packages"("machine_id", "name");

-- CreateIndex
CREATE INDEX "apt_planned_packages_is_current_dedup_key_idx" ON "apt_planned_packages"("is_current", "dedup_key");

-- CreateIndex
CREATE INDEX "apt_planned_packages_snapshot_id_idx" ON "apt_planned_packages"("snapshot_id");

-- CreateIndex
CREATE INDEX "apt_applied_packages_dedup_key_idx" ON "apt_applied_packages"("dedup_key");

-- CreateIndex
CREATE INDEX "apt_applied_packages_execution_id_idx" ON "apt_applied_packages"("execution_id");

-- CreateIndex
CREATE INDEX "apt_errors_machine_id_created_at_idx" ON "apt_errors"("machine_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "apt_errors_kind_created_at_idx" ON "apt_errors"("kind", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "apt_planned_packages" ADD CONSTRAINT "apt_planned_packages_snapshot_id_fkey" FOREIGN KEY ("snapshot_id") REFERENCES "snapshots"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "apt_planned_packages" ADD CONSTRAINT "apt_planned_packages_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "apt_applied_packages" ADD CONSTRAINT "apt_applied_packages_execution_id_fkey" FOREIGN KEY ("execution_id") REFERENCES "executions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "apt_applied_packages" ADD CONSTRAINT "apt_applied_packages_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "apt_errors" ADD CONSTRAINT "apt_errors_snapshot_id_fkey" FOREIGN KEY ("snapshot_id") REFERENCES "snapshots"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "apt_errors" ADD CONSTRAINT "apt_errors_execution_id_fkey" FOREIGN KEY ("execution_id") REFERENCES "executions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "apt_errors" ADD CONSTRAINT "apt_errors_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;
