-- CreateTable
CREATE TABLE "discovery_scans" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "cidr" TEXT NOT NULL,
    "ports_json" JSONB NOT NULL,
    "method" TEXT NOT NULL DEFAULT 'tcp',
    "status" TEXT NOT NULL,
    "requested_by" TEXT,
    "total" INTEGER NOT NULL DEFAULT 0,
    "probed" INTEGER NOT NULL DEFAULT 0,
    "found" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    "result_json" JSONB,

    CONSTRAINT "discovery_scans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "discovery_candidates" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "scan_id" UUID NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "service" TEXT NOT NULL,
    "banner" TEXT,
    "key_type" TEXT,
    "host_key_fingerprint" TEXT,
    "host_key_public" TEXT,
    "reverse_dns" TEXT,
    "already_known" BOOLEAN NOT NULL DEFAULT false,
    "known_machine_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "discovery_candidates_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "discovery_scans_started_at_idx" ON "discovery_scans"("started_at" DESC);

-- CreateIndex
CREATE INDEX "discovery_candidates_host_key_fingerprint_idx" ON "discovery_candidates"("host_key_fingerprint");

-- CreateIndex
CREATE UNIQUE INDEX "discovery_candidates_scan_id_host_port_key" ON "discovery_candidates"("scan_id", "host", "port");

-- AddForeignKey
ALTER TABLE "discovery_candidates" ADD CONSTRAINT "discovery_candidates_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "discovery_scans"("id") ON DELETE CASCADE ON UPDATE CASCADE;
