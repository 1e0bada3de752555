CREATE TABLE "open311_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"partner_name" text NOT NULL,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"batch" boolean DEFAULT false NOT NULL,
	"created_by" uuid,
	"revoked_at" timestamp with time zone,
	"revoked_by" uuid,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "open311_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"key_id" uuid NOT NULL,
	"token" text NOT NULL,
	"jurisdiction_id" text,
	"email" text,
	"phone" text,
	"first_name" text,
	"last_name" text,
	"account_id" text,
	"device_id" text,
	"description" text,
	"media_url" text,
	"address_id" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "open311_keys" ADD CONSTRAINT "open311_keys_created_by_accounts_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "open311_keys" ADD CONSTRAINT "open311_keys_revoked_by_accounts_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "open311_requests" ADD CONSTRAINT "open311_requests_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "open311_requests" ADD CONSTRAINT "open311_requests_key_id_open311_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."open311_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "open311_keys_key_hash_index" ON "open311_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "open311_keys_district_id_created_at_index" ON "open311_keys" USING btree ("district_id","created_at");--> statement-breakpoint
CREATE INDEX "open311_keys_created_by_index" ON "open311_keys" USING btree ("created_by");--> statement-breakpoint
CREATE INDEX "open311_keys_revoked_by_index" ON "open311_keys" USING btree ("revoked_by");--> statement-breakpoint
CREATE UNIQUE INDEX "open311_requests_case_id_index" ON "open311_requests" USING btree ("case_id");--> statement-breakpoint
CREATE UNIQUE INDEX "open311_requests_token_index" ON "open311_requests" USING btree ("token");--> statement-breakpoint
CREATE INDEX "open311_requests_key_id_index" ON "open311_requests" USING btree ("key_id");