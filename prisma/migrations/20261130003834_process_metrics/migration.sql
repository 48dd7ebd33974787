-- CreateTable
CREATE TABLE "process_metrics" (
    "instance" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "metrics_json" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "process_metrics_pkey" PRIMARY KEY ("instance")
);
