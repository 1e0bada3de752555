-- The audit trail stays append-only, with one exception: the linker (core.linkAudit, core/audit.ts)
-- sets link_seq, prev_hash and hash once on a row inserted without them, every other column
-- unchanged. The exception is the trigger's WHEN condition (evaluated without calling PL/pgSQL, so
-- linking stays cheap); a column added to audit_log must be added to both lists below. DELETE now
-- has its own trigger (a WHEN clause cannot name NEW for a DELETE); TRUNCATE's is unchanged.
DROP TRIGGER audit_log_no_update ON audit_log;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW
  WHEN (NOT (
    OLD.hash IS NULL AND OLD.prev_hash IS NULL AND OLD.link_seq IS NULL
    AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.link_seq IS NOT NULL
    AND (NEW.id, NEW.district_id, NEW.at, NEW.actor_id, NEW.acting_for_id, NEW.action, NEW.entity_type,
         NEW.entity_id, NEW.org_unit_id, NEW.changes, NEW.request_id, NEW.ip, NEW.user_agent)
      IS NOT DISTINCT FROM
        (OLD.id, OLD.district_id, OLD.at, OLD.actor_id, OLD.acting_for_id, OLD.action, OLD.entity_type,
         OLD.entity_id, OLD.org_unit_id, OLD.changes, OLD.request_id, OLD.ip, OLD.user_agent)
  ))
  EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
