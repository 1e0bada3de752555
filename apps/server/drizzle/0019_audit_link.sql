CREATE TABLE "audit_chain_heads" (
	"chain" text PRIMARY KEY NOT NULL,
	"link_seq" bigint NOT NULL,
	"audit_id" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "prev_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "link_seq" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_link_seq_idx" ON "audit_log" USING btree ("link_seq") WHERE link_seq IS NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_log_unlinked_idx" ON "audit_log" USING btree ("id") WHERE hash IS NULL;