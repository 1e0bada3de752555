CREATE TABLE "application_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"step" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_id" uuid,
	"note" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "application_files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"material_name" text NOT NULL,
	"original_name" text NOT NULL,
	"stored_path" text NOT NULL,
	"mime" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"uploaded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "application_visits" (
	"id" uuid PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"note" text,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "applications" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"resident_id" uuid NOT NULL,
	"mode" text NOT NULL,
	"status" text NOT NULL,
	"department_id" uuid,
	"note" text,
	"appointment_at" timestamp with time zone,
	"accepted_at" timestamp with time zone,
	"forwarded_at" timestamp with time zone,
	"due_at" timestamp with time zone,
	"done_at" timestamp with time zone,
	"missing_materials" text[] DEFAULT '{}'::text[] NOT NULL,
	"refusal_reason" text,
	"delivery" text,
	"rating" integer,
	"rating_comment" text,
	"visits" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"link" text,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "application_events" ADD CONSTRAINT "application_events_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_events" ADD CONSTRAINT "application_events_actor_id_accounts_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_files" ADD CONSTRAINT "application_files_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_files" ADD CONSTRAINT "application_files_uploaded_by_accounts_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_visits" ADD CONSTRAINT "application_visits_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_visits" ADD CONSTRAINT "application_visits_recorded_by_accounts_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_item_id_service_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."service_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_resident_id_accounts_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "application_events_application_id_at_index" ON "application_events" USING btree ("application_id","at");--> statement-breakpoint
CREATE INDEX "application_events_actor_id_index" ON "application_events" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "application_files_application_id_index" ON "application_files" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "application_files_uploaded_by_index" ON "application_files" USING btree ("uploaded_by");--> statement-breakpoint
CREATE INDEX "application_visits_application_id_at_index" ON "application_visits" USING btree ("application_id","at");--> statement-breakpoint
CREATE INDEX "application_visits_recorded_by_index" ON "application_visits" USING btree ("recorded_by");--> statement-breakpoint
CREATE INDEX "applications_unit_status_idx" ON "applications" USING btree ("org_unit_id","status","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "applications_department_status_idx" ON "applications" USING btree ("department_id","status","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "applications_resident_idx" ON "applications" USING btree ("resident_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "applications_item_id_index" ON "applications" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "applications_district_id_index" ON "applications" USING btree ("district_id");--> statement-breakpoint
CREATE INDEX "applications_due_idx" ON "applications" USING btree ("due_at") WHERE "applications"."status" IN ('accepted', 'forwarded');--> statement-breakpoint
CREATE INDEX "messages_inbox_idx" ON "messages" USING btree ("account_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "messages_unread_idx" ON "messages" USING btree ("account_id") WHERE "messages"."read_at" IS NULL;