-- CreateIndex
CREATE INDEX "machines_name_id_idx" ON "machines"("name", "id");
