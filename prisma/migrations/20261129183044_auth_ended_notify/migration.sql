-- Every change that can end a token is NOTIFYed on `su_auth_ended` as `<kind>:<id>`, so an open SSE stream re-checks
-- its token at once and ends when it no longer authenticates (docs/adr/0014-authorization-rule.md). Triggers, not
-- code paths: logout, password change, an admin ending a session or revoking a client all write these rows.
-- api_clients.last_seen_at changes on every request and is deliberately not a reason to notify.
CREATE FUNCTION su_auth_ended_notify() RETURNS TRIGGER AS $$
BEGIN
  PERFORM pg_notify('su_auth_ended', TG_ARGV[0] || ':' || COALESCE(NEW."id", OLD."id")::TEXT);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "user_sessions_auth_ended" AFTER UPDATE ON "user_sessions" FOR EACH ROW
  WHEN (OLD."revoked_at" IS DISTINCT FROM NEW."revoked_at" OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at")
  EXECUTE FUNCTION su_auth_ended_notify('user_session');
CREATE TRIGGER "user_sessions_auth_deleted" AFTER DELETE ON "user_sessions" FOR EACH ROW
  EXECUTE FUNCTION su_auth_ended_notify('user_session');

CREATE TRIGGER "api_clients_auth_ended" AFTER UPDATE ON "api_clients" FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."revoked_at" IS DISTINCT FROM NEW."revoked_at"
        OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at"
        OR OLD."machine_scope_json"::TEXT IS DISTINCT FROM NEW."machine_scope_json"::TEXT)
  EXECUTE FUNCTION su_auth_ended_notify('api_client');
CREATE TRIGGER "api_clients_auth_deleted" AFTER DELETE ON "api_clients" FOR EACH ROW
  EXECUTE FUNCTION su_auth_ended_notify('api_client');

CREATE TRIGGER "users_auth_ended" AFTER UPDATE ON "users" FOR EACH ROW
  WHEN (OLD."is_active" IS DISTINCT FROM NEW."is_active" OR OLD."deleted_at" IS DISTINCT FROM NEW."deleted_at"
        OR OLD."role" IS DISTINCT FROM NEW."role")
  EXECUTE FUNCTION su_auth_ended_notify('user');
CREATE TRIGGER "users_auth_deleted" AFTER DELETE ON "users" FOR EACH ROW
  EXECUTE FUNCTION su_auth_ended_notify('user');
