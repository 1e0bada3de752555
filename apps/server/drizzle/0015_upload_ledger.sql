CREATE TABLE "upload_ledger" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"files" integer NOT NULL,
	"bytes" bigint NOT NULL,
	"path" text NOT NULL,
	"mime" text NOT NULL,
	"purpose" text NOT NULL,
	"request_id" text
);
--> statement-breakpoint
CREATE INDEX "upload_ledger_account_id_at_index" ON "upload_ledger" USING btree ("account_id","at");