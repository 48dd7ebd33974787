-- Every change to a schedule is NOTIFYed so the leading scheduler re-arms its timer at once (a schedule created at
-- 12:00:50 for every minute must fire at 12:01:00, not whenever the scheduler next looks).
CREATE FUNCTION su_schedules_notify() RETURNS TRIGGER AS $$
BEGIN
  PERFORM pg_notify('su_schedules', COALESCE(NEW."id", OLD."id")::TEXT);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER "schedules_notify" AFTER INSERT OR UPDATE OR DELETE ON "schedules" FOR EACH ROW EXECUTE FUNCTION su_schedules_notify();
