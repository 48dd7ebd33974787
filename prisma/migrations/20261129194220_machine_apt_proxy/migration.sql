-- AlterTable
ALTER TABLE "machines" ADD COLUMN     "apt_proxy_mode" TEXT NOT NULL DEFAULT 'direct',
ADD COLUMN     "apt_proxy_url" TEXT;
