-- A tile's view built once per refresh (ADR 0054). The INSERT named the view four times (the text, its status, its
-- rank, its name); PostgreSQL inlines su_machine_view, so each mention built the whole JSON object again, with its
-- subqueries: a refresh cost about 6 ms where building the view costs 1. A materialized CTE builds it once. A pass
-- refreshes each machine's tile about ten times (the claim and end of each job, the probe's and analysis' writes).
CREATE OR REPLACE FUNCTION su_tiles_refresh(p_ids UUID[]) RETURNS VOID AS $$
BEGIN
  WITH x AS MATERIALIZED (SELECT machine_id, v FROM su_machine_view(p_ids))
  INSERT INTO machine_tiles AS t (machine_id, view, status, sort_rank, name)
  SELECT x.machine_id, x.v::TEXT, x.v ->> 'status', su_tile_rank(x.v), x.v ->> 'name'
    FROM x ORDER BY x.machine_id
  ON CONFLICT (machine_id) DO UPDATE
    SET view = excluded.view, status = excluded.status, sort_rank = excluded.sort_rank, name = excluded.name;
  DELETE FROM machine_tiles t
   WHERE t.machine_id = ANY(p_ids) AND NOT EXISTS (SELECT 1 FROM machines m WHERE m.id = t.machine_id);
END;
$$ LANGUAGE plpgsql;
