-- AlterTable
ALTER TABLE "machine_state" ADD COLUMN     "apt_phased_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "apt_reboot_after_apply" BOOLEAN NOT NULL DEFAULT false;
