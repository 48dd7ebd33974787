-- AlterTable
ALTER TABLE "machine_tiles" ADD COLUMN     "name" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "sort_rank" SMALLINT NOT NULL DEFAULT 6;

-- CreateIndex
CREATE INDEX "machine_tiles_sort_rank_name_machine_id_idx" ON "machine_tiles"("sort_rank", "name", "machine_id");

-- A tile's place in the dashboard's default order, worst first: the web UI's tileStatus and STATUS_RANK
-- (apps/web/src/dashboard/machine-status.ts, machine-sort.ts), the same rules in the same order: blocked 0, error 1,
-- offline 2, security 3, running 4, updates 5, unknown 6, ok 7. Empty strings count as absent, as in JavaScript.
CREATE FUNCTION su_tile_rank(v JSON) RETURNS SMALLINT AS $$
  SELECT CASE
    WHEN s IS NULL OR json_typeof(s) = 'null' THEN 6
    WHEN (s ->> 'blocked')::BOOLEAN THEN 0
    WHEN coalesce(s ->> 'runningJobId', '') <> '' THEN 4
    WHEN coalesce(s ->> 'lastErrorKind', '') <> '' OR s ->> 'status' = 'error' THEN 1
    WHEN s ->> 'status' = 'offline' THEN 2
    WHEN s ->> 'status' = 'unknown' THEN 6
    WHEN (s ->> 'aptSecurityCount')::INT > 0 THEN 3
    WHEN (s ->> 'aptUpdatesCount')::INT > 0 THEN 5
    ELSE 7 END::SMALLINT
    FROM (SELECT v -> 'state' AS s) x
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION su_tiles_refresh(p_ids UUID[]) RETURNS VOID AS $$
BEGIN
  INSERT INTO machine_tiles AS t (machine_id, view, status, sort_rank, name)
  SELECT x.machine_id, x.v::TEXT, x.v ->> 'status', su_tile_rank(x.v), x.v ->> 'name'
    FROM su_machine_view(p_ids) x ORDER BY x.machine_id
  ON CONFLICT (machine_id) DO UPDATE
    SET view = excluded.view, status = excluded.status, sort_rank = excluded.sort_rank, name = excluded.name;
  DELETE FROM machine_tiles t
   WHERE t.machine_id = ANY(p_ids) AND NOT EXISTS (SELECT 1 FROM machines m WHERE m.id = t.machine_id);
END;
$$ LANGUAGE plpgsql;

-- The tiles already stored.
SELECT su_tiles_refresh(array_agg(id)) FROM machines HAVING count(*) > 0;
