-- CreateTable
CREATE TABLE "machine_tiles_stale" (
    "seq" BIGSERIAL NOT NULL,
    "machine_id" UUID NOT NULL,

    CONSTRAINT "machine_tiles_stale_pkey" PRIMARY KEY ("seq")
);

-- Writers mark, the reader refreshes (ADR 0055). A write to a tile's parts appended its machines' ids here instead of
-- rebuilding their tiles at once: a pass rebuilt each tile about nine times, one machine at a time (~4 ms each);
-- rebuilt in sets by the reader they cost ~0.1 ms each, once per read however many times the machine was written.
-- The tiles stored today are up to date (the triggers kept them so until now): nothing is stale at migration time.
CREATE OR REPLACE FUNCTION su_tiles_changed() RETURNS TRIGGER AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('INSERT INTO machine_tiles_stale (machine_id) SELECT DISTINCT %I FROM new_rows', TG_ARGV[0]);
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('INSERT INTO machine_tiles_stale (machine_id) SELECT DISTINCT %I FROM old_rows', TG_ARGV[0]);
  ELSE
    EXECUTE format('INSERT INTO machine_tiles_stale (machine_id)
                    SELECT %1$I FROM old_rows UNION SELECT %1$I FROM new_rows', TG_ARGV[0]);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A renamed tag changes the tiles of the machines carrying it: marked, like any other change.
CREATE OR REPLACE FUNCTION su_tiles_tag_renamed() RETURNS TRIGGER AS $$
BEGIN
  INSERT INTO machine_tiles_stale (machine_id) SELECT machine_id FROM machine_tags WHERE tag_id = NEW.id;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- The stale tiles rebuilt in one set-based refresh; answers how many machines it rebuilt. Called by the tiles' reader
-- before it reads (read-your-writes: a write committed before the call is in the tiles read after it) and by the
-- scheduler's leader now and then (the marks do not pile up while nobody looks).
-- Flushes run one at a time (a transaction advisory lock): a reader arriving during another's flush waits for its
-- commit, since the ids it must see may be the ones that flush took; it then takes what was marked since. Writers
-- never take this lock nor touch machine_tiles, so neither waits on the other; a write committed during a flush
-- stays marked for the next one. Nothing marked: one index-free look at an empty table, no lock.
CREATE FUNCTION su_tiles_flush() RETURNS INT AS $$
DECLARE
  ids UUID[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM machine_tiles_stale) THEN RETURN 0; END IF;
  PERFORM pg_advisory_xact_lock(hashtext('su:tiles-flush'));
  WITH taken AS (DELETE FROM machine_tiles_stale RETURNING machine_id)
  SELECT array_agg(DISTINCT machine_id) INTO ids FROM taken;
  IF ids IS NULL THEN RETURN 0; END IF;
  PERFORM su_tiles_refresh(ids);
  RETURN cardinality(ids);
END;
$$ LANGUAGE plpgsql;
