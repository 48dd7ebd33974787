-- AlterTable
ALTER TABLE "machine_state" ADD COLUMN     "apt_usable" BOOLEAN,
ADD COLUMN     "last_probe_at" TIMESTAMPTZ(6);

-- CreateTable
CREATE TABLE "machine_hardware" (
    "machine_id" UUID NOT NULL,
    "probe_snapshot_id" UUID,
    "cpu_model" TEXT,
    "cpu_cores" INTEGER,
    "memory_bytes" BIGINT,
    "gpus_json" JSONB,
    "disks_json" JSONB,
    "network_json" JSONB,
    "firmware_json" JSONB,
    "warnings_json" JSONB,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "machine_hardware_pkey" PRIMARY KEY ("machine_id")
);

-- CreateTable
CREATE TABLE "machine_metrics_latest" (
    "machine_id" UUID NOT NULL,
    "snapshot_id" UUID,
    "collected_at" TIMESTAMPTZ(6) NOT NULL,
    "cpu_load1" DOUBLE PRECISION,
    "cpu_load5" DOUBLE PRECISION,
    "cpu_cores" INTEGER,
    "memory_total_bytes" BIGINT,
    "memory_used_bytes" BIGINT,
    "memory_available_bytes" BIGINT,
    "memory_used_percent" DOUBLE PRECISION,
    "filesystems_json" JSONB NOT NULL,
    "root_used_percent" DOUBLE PRECISION,
    "boot_id" TEXT,
    "uptime_seconds" DOUBLE PRECISION,
    "warnings_json" JSONB,

    CONSTRAINT "machine_metrics_latest_pkey" PRIMARY KEY ("machine_id")
);

-- CreateIndex
CREATE INDEX "machine_hardware_updated_at_idx" ON "machine_hardware"("updated_at" DESC);

-- CreateIndex
CREATE INDEX "machine_metrics_latest_collected_at_idx" ON "machine_metrics_latest"("collected_at" DESC);

-- CreateIndex
CREATE INDEX "machine_metrics_latest_root_used_percent_idx" ON "machine_metrics_latest"("root_used_percent");

-- AddForeignKey
ALTER TABLE "machine_hardware" ADD CONSTRAINT "machine_hardware_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_hardware" ADD CONSTRAINT "machine_hardware_probe_snapshot_id_fkey" FOREIGN KEY ("probe_snapshot_id") REFERENCES "snapshots"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_metrics_latest" ADD CONSTRAINT "machine_metrics_latest_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_metrics_latest" ADD CONSTRAINT "machine_metrics_latest_snapshot_id_fkey" FOREIGN KEY ("snapshot_id") REFERENCES "snapshots"("id") ON DELETE SET NULL ON UPDATE CASCADE;
