-- CreateTable
CREATE TABLE "pending_update_groups" (
    "dedup_key" TEXT NOT NULL,
    "held" BOOLEAN NOT NULL,
    "name" TEXT NOT NULL,
    "current_version" TEXT,
    "target_version" TEXT,
    "origin" TEXT,
    "machine_count" INTEGER NOT NULL,
    "security_count" INTEGER NOT NULL,

    CONSTRAINT "pending_update_groups_pkey" PRIMARY KEY ("dedup_key","held")
);

-- CreateTable
CREATE TABLE "pending_update_members" (
    "dedup_key" TEXT NOT NULL,
    "held" BOOLEAN NOT NULL,
    "machine_id" UUID NOT NULL,
    "security" BOOLEAN NOT NULL,
    "name" TEXT NOT NULL,
    "current_version" TEXT,
    "target_version" TEXT,
    "origin" TEXT,

    CONSTRAINT "pending_update_members_pkey" PRIMARY KEY ("dedup_key","held","machine_id","security")
);

-- CreateIndex
CREATE INDEX "pending_update_members_machine_id_idx" ON "pending_update_members"("machine_id");

-- Maintained by triggers (ADR 0040): the fleet's pending groups are read in one small scan instead of grouping every
-- current planned row of the fleet (300,000 at 10,000 machines × 30). Refreshes the (machine, key, held) triples a
-- statement touched: members no longer backed by a current row go, new ones come, and each group's counts move by
-- the difference, in key order (two analyses touching the same groups lock them in the same order: no deadlock).
CREATE FUNCTION su_pending_refresh(p_machine UUID[], p_key TEXT[], p_held BOOLEAN[]) RETURNS VOID AS $$
BEGIN
  WITH touched AS (
    SELECT DISTINCT machine_id, dedup_key, held FROM unnest(p_machine, p_key, p_held) AS t(machine_id, dedup_key, held)
  ), live AS (
    SELECT p.machine_id, p.dedup_key, p.held, bool_or(p.security) AS security, min(p.name) AS name,
           min(p.current_version) AS current_version, min(p.target_version) AS target_version, min(p.origin) AS origin
      FROM apt_planned_packages p JOIN machines m ON m.id = p.machine_id AND m.deleted_at IS NULL
     WHERE p.machine_id = ANY(p_machine) AND p.is_current AND p.operation <> 'remove'
       AND (p.machine_id, p.dedup_key, p.held) IN (SELECT machine_id, dedup_key, held FROM touched)
     GROUP BY p.machine_id, p.dedup_key, p.held
  ), gone AS (
    DELETE FROM pending_update_members x USING touched t
     WHERE x.machine_id = t.machine_id AND x.dedup_key = t.dedup_key AND x.held = t.held
       AND NOT EXISTS (SELECT 1 FROM live l WHERE l.machine_id = x.machine_id AND l.dedup_key = x.dedup_key
                                              AND l.held = x.held AND l.security = x.security)
    RETURNING x.dedup_key, x.held, x.security, x.name, x.current_version, x.target_version, x.origin, -1 AS d
  ), born AS (
    INSERT INTO pending_update_members (dedup_key, held, machine_id, security, name, current_version, target_version, origin)
    SELECT dedup_key, held, machine_id, security, name, current_version, target_version, origin FROM live
    ON CONFLICT DO NOTHING
    RETURNING dedup_key, held, security, name, current_version, target_version, origin, 1 AS d
  ), delta AS (
    SELECT dedup_key, held, min(name) AS name, min(current_version) AS cv, min(target_version) AS tv,
           min(origin) AS o, sum(d)::INT AS n, coalesce(sum(d) FILTER (WHERE security), 0)::INT AS s
      FROM (SELECT * FROM gone UNION ALL SELECT * FROM born) c
     GROUP BY dedup_key, held
  )
  INSERT INTO pending_update_groups AS g
         (dedup_key, held, name, current_version, target_version, origin, machine_count, security_count)
  SELECT dedup_key, held, name, cv, tv, o, n, s FROM delta WHERE n <> 0 OR s <> 0 ORDER BY dedup_key, held
  ON CONFLICT (dedup_key, held) DO UPDATE SET machine_count = g.machine_count + excluded.machine_count,
                                              security_count = g.security_count + excluded.security_count;
  DELETE FROM pending_update_groups g
   USING (SELECT DISTINCT dedup_key, held FROM unnest(p_key, p_held) AS k(dedup_key, held)) k
   WHERE g.dedup_key = k.dedup_key AND g.held = k.held AND g.machine_count <= 0;
END;
$$ LANGUAGE plpgsql;

-- Statement-level, with transition tables: an analysis's plan (one UPDATE, one INSERT) is two refreshes, not one
-- per row. Rows that can make no member (history, removals) are left out before the refresh.
CREATE FUNCTION su_pending_planned_changed() RETURNS TRIGGER AS $$
DECLARE
  m UUID[];
  k TEXT[];
  h BOOLEAN[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(machine_id), array_agg(dedup_key), array_agg(held) INTO m, k, h
      FROM new_rows WHERE is_current AND operation <> 'remove';
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(machine_id), array_agg(dedup_key), array_agg(held) INTO m, k, h
      FROM old_rows WHERE is_current AND operation <> 'remove';
  ELSE
    SELECT array_agg(machine_id), array_agg(dedup_key), array_agg(held) INTO m, k, h
      FROM (SELECT machine_id, dedup_key, held FROM old_rows WHERE is_current AND operation <> 'remove'
            UNION SELECT machine_id, dedup_key, held FROM new_rows WHERE is_current AND operation <> 'remove') x;
  END IF;
  IF m IS NOT NULL THEN PERFORM su_pending_refresh(m, k, h); END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER "apt_planned_packages_pending_ins" AFTER INSERT ON "apt_planned_packages"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION su_pending_planned_changed();
CREATE TRIGGER "apt_planned_packages_pending_upd" AFTER UPDATE ON "apt_planned_packages"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION su_pending_planned_changed();
CREATE TRIGGER "apt_planned_packages_pending_del" AFTER DELETE ON "apt_planned_packages"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION su_pending_planned_changed();

-- A machine deleted (or restored) leaves (or rejoins) every group it was counted in.
CREATE FUNCTION su_pending_machine_deleted() RETURNS TRIGGER AS $$
BEGIN
  PERFORM su_pending_refresh(array_agg(machine_id), array_agg(dedup_key), array_agg(held))
     FROM (SELECT machine_id, dedup_key, held FROM apt_planned_packages WHERE machine_id = NEW.id AND is_current
           UNION SELECT machine_id, dedup_key, held FROM pending_update_members WHERE machine_id = NEW.id) x
   HAVING count(*) > 0;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER "machines_pending_deleted" AFTER UPDATE OF deleted_at ON "machines"
  FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at) EXECUTE FUNCTION su_pending_machine_deleted();

-- The plans already stored.
SELECT su_pending_refresh(array_agg(machine_id), array_agg(dedup_key), array_agg(held))
  FROM (SELECT DISTINCT machine_id, dedup_key, held FROM apt_planned_packages WHERE is_current AND operation <> 'remove') x
HAVING count(*) > 0;
