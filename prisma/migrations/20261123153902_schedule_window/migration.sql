-- AlterTable
ALTER TABLE "schedules" ADD COLUMN     "window_minutes" INTEGER;
