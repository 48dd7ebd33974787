-- CreateTable
CREATE TABLE "install_profiles" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "key" TEXT,
    "label" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "risk" TEXT NOT NULL DEFAULT 'low',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "manifest" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "install_profiles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "install_recipes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "profile_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "source_type" TEXT NOT NULL,
    "risk" TEXT,
    "current_version_id" UUID,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "install_recipes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "install_recipe_versions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "recipe_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "template" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "sha256" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,

    CONSTRAINT "install_recipe_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "machine_profile_state" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "machine_id" UUID NOT NULL,
    "profile_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "recipe_version_id" UUID,
    "version" INTEGER,
    "last_execution_id" UUID,
    "last_run_at" TIMESTAMPTZ(6),
    "variables" JSONB,

    CONSTRAINT "machine_profile_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "script_variables_presets" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "scope" TEXT NOT NULL,
    "machine_id" UUID,
    "profile_id" UUID,
    "name" TEXT NOT NULL,
    "variables" JSONB NOT NULL,
    "enc_secrets" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "script_variables_presets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "machine_bootstrap_state" (
    "machine_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "automation_user" TEXT,
    "last_attempt_at" TIMESTAMPTZ(6),
    "error_message" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "machine_bootstrap_state_pkey" PRIMARY KEY ("machine_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "install_profiles_key_key" ON "install_profiles"("key");

-- CreateIndex
CREATE INDEX "install_recipes_profile_id_idx" ON "install_recipes"("profile_id");

-- CreateIndex
CREATE UNIQUE INDEX "install_recipe_versions_recipe_id_version_key" ON "install_recipe_versions"("recipe_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "machine_profile_state_machine_id_profile_id_key" ON "machine_profile_state"("machine_id", "profile_id");

-- CreateIndex
CREATE INDEX "script_variables_presets_scope_machine_id_profile_id_idx" ON "script_variables_presets"("scope", "machine_id", "profile_id");

-- AddForeignKey
ALTER TABLE "install_recipes" ADD CONSTRAINT "install_recipes_profile_id_fkey" FOREIGN KEY ("profile_id") REFERENCES "install_profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "install_recipe_versions" ADD CONSTRAINT "install_recipe_versions_recipe_id_fkey" FOREIGN KEY ("recipe_id") REFERENCES "install_recipes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_profile_state" ADD CONSTRAINT "machine_profile_state_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_profile_state" ADD CONSTRAINT "machine_profile_state_profile_id_fkey" FOREIGN KEY ("profile_id") REFERENCES "install_profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "script_variables_presets" ADD CONSTRAINT "script_variables_presets_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "script_variables_presets" ADD CONSTRAINT "script_variables_presets_profile_id_fkey" FOREIGN KEY ("profile_id") REFERENCES "install_profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "machine_bootstrap_state" ADD CONSTRAINT "machine_bootstrap_state_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;
