-- DropIndex
DROP INDEX "machines_status_idx";

-- AlterTable
ALTER TABLE "machines" DROP COLUMN "status";
