CREATE TABLE "office_hour_bookings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"status" text DEFAULT 'booked' NOT NULL,
	"checked_in_at" timestamp with time zone,
	"checked_in_by" uuid,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "office_hour_sessions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"department_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"place" text NOT NULL,
	"item_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"capacity" integer NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_checklists" (
	"id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"checked" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "office_hour_bookings" ADD CONSTRAINT "office_hour_bookings_session_id_office_hour_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."office_hour_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "office_hour_bookings" ADD CONSTRAINT "office_hour_bookings_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "office_hour_bookings" ADD CONSTRAINT "office_hour_bookings_checked_in_by_accounts_id_fk" FOREIGN KEY ("checked_in_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "office_hour_sessions" ADD CONSTRAINT "office_hour_sessions_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "office_hour_sessions" ADD CONSTRAINT "office_hour_sessions_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "office_hour_sessions" ADD CONSTRAINT "office_hour_sessions_created_by_accounts_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_checklists" ADD CONSTRAINT "service_checklists_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_checklists" ADD CONSTRAINT "service_checklists_item_id_service_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."service_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "office_hour_bookings_one_active" ON "office_hour_bookings" USING btree ("session_id","account_id") WHERE "office_hour_bookings"."status" <> 'cancelled';--> statement-breakpoint
CREATE INDEX "office_hour_bookings_session_id_status_index" ON "office_hour_bookings" USING btree ("session_id","status");--> statement-breakpoint
CREATE INDEX "office_hour_bookings_account_id_created_at_index" ON "office_hour_bookings" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "office_hour_bookings_checked_in_by_index" ON "office_hour_bookings" USING btree ("checked_in_by");--> statement-breakpoint
CREATE INDEX "office_hour_sessions_org_unit_id_starts_at_index" ON "office_hour_sessions" USING btree ("org_unit_id","starts_at");--> statement-breakpoint
CREATE INDEX "office_hour_sessions_department_id_starts_at_index" ON "office_hour_sessions" USING btree ("department_id","starts_at");--> statement-breakpoint
CREATE INDEX "office_hour_sessions_district_id_starts_at_index" ON "office_hour_sessions" USING btree ("district_id","starts_at");--> statement-breakpoint
CREATE INDEX "office_hour_sessions_created_by_index" ON "office_hour_sessions" USING btree ("created_by");--> statement-breakpoint
CREATE UNIQUE INDEX "service_checklists_account_id_item_id_index" ON "service_checklists" USING btree ("account_id","item_id");--> statement-breakpoint
CREATE INDEX "service_checklists_item_id_index" ON "service_checklists" USING btree ("item_id");