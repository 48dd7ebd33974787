-- CreateTable
CREATE TABLE "host_metrics" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID NOT NULL,
    "collected_at" TIMESTAMPTZ(6) NOT NULL,
    "source" TEXT NOT NULL,
    "cpu_load1" DOUBLE PRECISION NOT NULL,
    "cpu_load5" DOUBLE PRECISION NOT NULL,
    "cpu_load15" DOUBLE PRECISION NOT NULL,
    "cpu_cores" INTEGER,
    "memory_total_bytes" BIGINT NOT NULL,
    "memory_used_bytes" BIGINT NOT NULL,
    "memory_used_percent" DOUBLE PRECISION NOT NULL,
    "root_used_percent" DOUBLE PRECISION NOT NULL,
    "disk_max_used_percent" DOUBLE PRECISION NOT NULL,
    "filesystems_json" JSONB NOT NULL,
    "uptime_seconds" DOUBLE PRECISION NOT NULL,
    "samples" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "host_metrics_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "host_metrics_machine_id_collected_at_idx" ON "host_metrics"("machine_id", "collected_at" DESC);

-- CreateIndex
CREATE INDEX "host_metrics_collected_at_source_idx" ON "host_metrics"("collected_at", "source");

-- AddForeignKey
ALTER TABLE "host_metrics" ADD CONSTRAINT "host_metrics_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;
