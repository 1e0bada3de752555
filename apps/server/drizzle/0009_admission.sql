CREATE TABLE "admission_certificates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"aliases" text[] DEFAULT '{}'::text[] NOT NULL,
	"kind" text NOT NULL,
	"how_to_issue" text,
	"issued_by" text,
	"basis" text,
	"sort" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admission_list_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"sort" integer NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"list" text NOT NULL,
	"category" text NOT NULL,
	"legal_basis" text[] DEFAULT '{}'::text[] NOT NULL,
	"responsible_department" text,
	"fee_follows_task" boolean DEFAULT false NOT NULL,
	"funding_terms" text,
	"min_funding_yuan_per_hour" integer,
	"assistance_form" text,
	"keywords" text[] DEFAULT '{}'::text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admission_list_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"effective_date" date,
	"change_note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_by" uuid,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "admission_outside_reports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"department_id" uuid,
	"department_name" text NOT NULL,
	"kind" text NOT NULL,
	"what" text NOT NULL,
	"happened_on" date NOT NULL,
	"channel" text,
	"estimated_hours" real DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"reported_by" uuid,
	"handled_by" uuid,
	"handled_at" timestamp with time zone,
	"handling_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admission_request_comments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"request_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"author_id" uuid,
	"body" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admission_request_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"request_id" uuid NOT NULL,
	"step" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_id" uuid,
	"note" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admission_request_targets" (
	"request_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admission_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"department_id" uuid NOT NULL,
	"filed_by" uuid,
	"status" text NOT NULL,
	"route" text NOT NULL,
	"route_reason" text NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"legal_basis" text NOT NULL,
	"claimed_item_code" text,
	"claimed_item_name" text,
	"claimed_item_list" text,
	"target_mode" text NOT NULL,
	"target_unit_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"recurrence" text NOT NULL,
	"estimated_hours_per_month" real NOT NULL,
	"funding_yuan_per_month" integer NOT NULL,
	"funding_note" text,
	"staff_support" text,
	"training_support" text,
	"forms" jsonb NOT NULL,
	"meetings_per_month" integer NOT NULL,
	"inspects_communities" boolean NOT NULL,
	"rates_communities" boolean NOT NULL,
	"matches" jsonb NOT NULL,
	"list_version" integer NOT NULL,
	"matched_item_code" text,
	"matched_item_name" text,
	"matched_item_list" text,
	"refusal_reason" text,
	"appeal_justification" text,
	"appealed_at" timestamp with time zone,
	"due_at" timestamp with time zone,
	"decision" text,
	"decision_reasons" text,
	"conditions" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"term_start" date,
	"term_end" date,
	"withdrawal_reason" text,
	"withdrawn_by" uuid,
	"withdrawn_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admission_task_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"task_id" uuid NOT NULL,
	"step" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_id" uuid,
	"note" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admission_tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"request_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"department_id" uuid NOT NULL,
	"status" text NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"item_code" text,
	"item_name" text,
	"item_list" text,
	"due_at" timestamp with time zone,
	"funding_note" text NOT NULL,
	"required_forms" jsonb NOT NULL,
	"forms_count" integer NOT NULL,
	"meetings_per_month" integer NOT NULL,
	"inspections_per_month" integer DEFAULT 0 NOT NULL,
	"estimated_hours_per_month" real NOT NULL,
	"active_from" date NOT NULL,
	"active_until" date NOT NULL,
	"progress_percent" integer DEFAULT 0 NOT NULL,
	"evidence" text,
	"acknowledged_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "admission_list_items" ADD CONSTRAINT "admission_list_items_version_id_admission_list_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."admission_list_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_list_versions" ADD CONSTRAINT "admission_list_versions_created_by_accounts_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_list_versions" ADD CONSTRAINT "admission_list_versions_published_by_accounts_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_outside_reports" ADD CONSTRAINT "admission_outside_reports_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_outside_reports" ADD CONSTRAINT "admission_outside_reports_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_outside_reports" ADD CONSTRAINT "admission_outside_reports_reported_by_accounts_id_fk" FOREIGN KEY ("reported_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_outside_reports" ADD CONSTRAINT "admission_outside_reports_handled_by_accounts_id_fk" FOREIGN KEY ("handled_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_request_comments" ADD CONSTRAINT "admission_request_comments_request_id_admission_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."admission_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_request_comments" ADD CONSTRAINT "admission_request_comments_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_request_comments" ADD CONSTRAINT "admission_request_comments_author_id_accounts_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_request_events" ADD CONSTRAINT "admission_request_events_request_id_admission_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."admission_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_request_events" ADD CONSTRAINT "admission_request_events_actor_id_accounts_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_request_targets" ADD CONSTRAINT "admission_request_targets_request_id_admission_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."admission_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_request_targets" ADD CONSTRAINT "admission_request_targets_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_requests" ADD CONSTRAINT "admission_requests_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_requests" ADD CONSTRAINT "admission_requests_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_requests" ADD CONSTRAINT "admission_requests_filed_by_accounts_id_fk" FOREIGN KEY ("filed_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_requests" ADD CONSTRAINT "admission_requests_decided_by_accounts_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_requests" ADD CONSTRAINT "admission_requests_withdrawn_by_accounts_id_fk" FOREIGN KEY ("withdrawn_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_task_events" ADD CONSTRAINT "admission_task_events_task_id_admission_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."admission_tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_task_events" ADD CONSTRAINT "admission_task_events_actor_id_accounts_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_tasks" ADD CONSTRAINT "admission_tasks_request_id_admission_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."admission_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_tasks" ADD CONSTRAINT "admission_tasks_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_tasks" ADD CONSTRAINT "admission_tasks_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "admission_certificates_district_id_code_index" ON "admission_certificates" USING btree ("district_id","code");--> statement-breakpoint
CREATE INDEX "admission_certificates_district_id_kind_sort_index" ON "admission_certificates" USING btree ("district_id","kind","sort");--> statement-breakpoint
CREATE INDEX "admission_list_items_version_id_sort_index" ON "admission_list_items" USING btree ("version_id","sort");--> statement-breakpoint
CREATE INDEX "admission_list_items_version_id_code_index" ON "admission_list_items" USING btree ("version_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "admission_list_versions_district_id_version_index" ON "admission_list_versions" USING btree ("district_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "admission_list_versions_one_draft_idx" ON "admission_list_versions" USING btree ("district_id") WHERE "admission_list_versions"."status" = 'draft';--> statement-breakpoint
CREATE INDEX "admission_list_versions_district_id_status_effective_date_index" ON "admission_list_versions" USING btree ("district_id","status","effective_date");--> statement-breakpoint
CREATE INDEX "admission_list_versions_created_by_index" ON "admission_list_versions" USING btree ("created_by");--> statement-breakpoint
CREATE INDEX "admission_list_versions_published_by_index" ON "admission_list_versions" USING btree ("published_by");--> statement-breakpoint
CREATE INDEX "admission_outside_reports_queue_idx" ON "admission_outside_reports" USING btree ("district_id","status","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "admission_outside_reports_org_unit_id_happened_on_index" ON "admission_outside_reports" USING btree ("org_unit_id","happened_on");--> statement-breakpoint
CREATE INDEX "admission_outside_reports_department_id_index" ON "admission_outside_reports" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "admission_outside_reports_reported_by_index" ON "admission_outside_reports" USING btree ("reported_by");--> statement-breakpoint
CREATE INDEX "admission_outside_reports_handled_by_index" ON "admission_outside_reports" USING btree ("handled_by");--> statement-breakpoint
CREATE INDEX "admission_request_comments_request_id_at_index" ON "admission_request_comments" USING btree ("request_id","at");--> statement-breakpoint
CREATE INDEX "admission_request_comments_org_unit_id_index" ON "admission_request_comments" USING btree ("org_unit_id");--> statement-breakpoint
CREATE INDEX "admission_request_comments_author_id_index" ON "admission_request_comments" USING btree ("author_id");--> statement-breakpoint
CREATE INDEX "admission_request_events_request_id_at_index" ON "admission_request_events" USING btree ("request_id","at");--> statement-breakpoint
CREATE INDEX "admission_request_events_actor_id_index" ON "admission_request_events" USING btree ("actor_id");--> statement-breakpoint
CREATE UNIQUE INDEX "admission_request_targets_request_id_org_unit_id_index" ON "admission_request_targets" USING btree ("request_id","org_unit_id");--> statement-breakpoint
CREATE INDEX "admission_request_targets_org_unit_id_index" ON "admission_request_targets" USING btree ("org_unit_id");--> statement-breakpoint
CREATE INDEX "admission_requests_department_idx" ON "admission_requests" USING btree ("department_id","status","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "admission_requests_status_idx" ON "admission_requests" USING btree ("district_id","status","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "admission_requests_queue_idx" ON "admission_requests" USING btree ("district_id","due_at") WHERE "admission_requests"."status" IN ('fast_track', 'in_review');--> statement-breakpoint
CREATE INDEX "admission_requests_org_unit_id_index" ON "admission_requests" USING btree ("org_unit_id");--> statement-breakpoint
CREATE INDEX "admission_requests_filed_by_index" ON "admission_requests" USING btree ("filed_by");--> statement-breakpoint
CREATE INDEX "admission_requests_decided_by_index" ON "admission_requests" USING btree ("decided_by");--> statement-breakpoint
CREATE INDEX "admission_requests_withdrawn_by_index" ON "admission_requests" USING btree ("withdrawn_by");--> statement-breakpoint
CREATE INDEX "admission_task_events_task_id_at_index" ON "admission_task_events" USING btree ("task_id","at");--> statement-breakpoint
CREATE INDEX "admission_task_events_actor_id_index" ON "admission_task_events" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "admission_tasks_inbox_idx" ON "admission_tasks" USING btree ("org_unit_id","status","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "admission_tasks_request_id_index" ON "admission_tasks" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "admission_tasks_department_id_index" ON "admission_tasks" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "admission_tasks_active_idx" ON "admission_tasks" USING btree ("district_id","active_from","active_until");