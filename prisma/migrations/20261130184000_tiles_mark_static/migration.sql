-- The tile marks without dynamic SQL (ADR 0059). su_tiles_changed built its INSERT with EXECUTE format() from the
-- column its trigger names (TG_ARGV[0]): parsed and planned again at every call, 0.25 ms each, about thirteen calls a
-- machine in a pass (3.1 s of a 1,000-machine pass's 15.7 s of statement time). The column is `id` on machines and
-- `machine_id` on every other table, so each branch is written out: PL/pgSQL plans a static statement once per
-- session and trigger table, and a trigger only ever runs its own table's branch. Same marks, same triggers.
CREATE OR REPLACE FUNCTION su_tiles_changed() RETURNS TRIGGER AS $$
BEGIN
  IF TG_ARGV[0] = 'id' THEN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO machine_tiles_stale (machine_id) SELECT DISTINCT id FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
      INSERT INTO machine_tiles_stale (machine_id) SELECT DISTINCT id FROM old_rows;
    ELSE
      INSERT INTO machine_tiles_stale (machine_id) SELECT id FROM old_rows UNION SELECT id FROM new_rows;
    END IF;
  ELSIF TG_ARGV[0] = 'machine_id' THEN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO machine_tiles_stale (machine_id) SELECT DISTINCT machine_id FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
      INSERT INTO machine_tiles_stale (machine_id) SELECT DISTINCT machine_id FROM old_rows;
    ELSE
      INSERT INTO machine_tiles_stale (machine_id)
      SELECT machine_id FROM old_rows UNION SELECT machine_id FROM new_rows;
    END IF;
  ELSE
    RAISE EXCEPTION 'su_tiles_changed: no tile mark for column %', TG_ARGV[0];
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
