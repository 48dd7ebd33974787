-- AlterTable
ALTER TABLE "machine_state" ADD COLUMN     "apt_held_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "apt_held_security_count" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "important_messages" ADD COLUMN     "resolved_at" TIMESTAMPTZ(6);
