CREATE TABLE "case_categories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"parent_code" text,
	"level" text NOT NULL,
	"default_handler_kind" text NOT NULL,
	"default_department" text,
	"urgent" boolean DEFAULT false NOT NULL,
	"sla" jsonb NOT NULL,
	"evidence" jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_followers" (
	"case_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "case_followers_case_id_account_id_pk" PRIMARY KEY("case_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "case_history" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"step" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_id" uuid,
	"note" text,
	"public" boolean DEFAULT true NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_number_counters" (
	"district_id" uuid NOT NULL,
	"day" text NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "case_number_counters_district_id_day_pk" PRIMARY KEY("district_id","day")
);
--> statement-breakpoint
CREATE TABLE "case_photos" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"history_id" uuid,
	"original_name" text NOT NULL,
	"stored_path" text NOT NULL,
	"mime" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"uploaded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_routing_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"category_code" text NOT NULL,
	"handler_kind" text NOT NULL,
	"department_id" uuid,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_sla_cards" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"level" text NOT NULL,
	"status" text NOT NULL,
	"unit_kind" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"number" text NOT NULL,
	"category_code" text NOT NULL,
	"description" text NOT NULL,
	"lat" double precision,
	"lng" double precision,
	"address" text,
	"org_unit_id" uuid NOT NULL,
	"community_id" uuid,
	"handler_kind" text,
	"squad_id" uuid,
	"department_id" uuid,
	"handler_id" uuid,
	"handled_by" uuid,
	"status" text NOT NULL,
	"step_started_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone,
	"red_at" timestamp with time zone,
	"overdue_level" integer DEFAULT 0 NOT NULL,
	"hide_name" boolean DEFAULT false NOT NULL,
	"reporter_id" uuid,
	"source" text NOT NULL,
	"reopened" boolean DEFAULT false NOT NULL,
	"supervised" boolean DEFAULT false NOT NULL,
	"supervision_note" text,
	"rating" text,
	"rating_comment" text,
	"not_registered_reason" text,
	"send_back_reason" text,
	"extension_hours" double precision,
	"extension_reason" text,
	"extension_status" text,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_unit_boundaries" (
	"org_unit_id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"depth" integer NOT NULL,
	"geometry" jsonb NOT NULL,
	"min_lng" double precision NOT NULL,
	"min_lat" double precision NOT NULL,
	"max_lng" double precision NOT NULL,
	"max_lat" double precision NOT NULL,
	"source" text NOT NULL,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "squad_members" (
	"id" uuid PRIMARY KEY NOT NULL,
	"squad_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"duty" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "squads" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_followers" ADD CONSTRAINT "case_followers_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_followers" ADD CONSTRAINT "case_followers_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_history" ADD CONSTRAINT "case_history_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_history" ADD CONSTRAINT "case_history_actor_id_accounts_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_photos" ADD CONSTRAINT "case_photos_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_photos" ADD CONSTRAINT "case_photos_history_id_case_history_id_fk" FOREIGN KEY ("history_id") REFERENCES "public"."case_history"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_photos" ADD CONSTRAINT "case_photos_uploaded_by_accounts_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_routing_rules" ADD CONSTRAINT "case_routing_rules_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_routing_rules" ADD CONSTRAINT "case_routing_rules_updated_by_accounts_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_sla_cards" ADD CONSTRAINT "case_sla_cards_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_community_id_org_units_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_squad_id_squads_id_fk" FOREIGN KEY ("squad_id") REFERENCES "public"."squads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_handler_id_accounts_id_fk" FOREIGN KEY ("handler_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_handled_by_accounts_id_fk" FOREIGN KEY ("handled_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_reporter_id_accounts_id_fk" FOREIGN KEY ("reporter_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_unit_boundaries" ADD CONSTRAINT "org_unit_boundaries_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_unit_boundaries" ADD CONSTRAINT "org_unit_boundaries_updated_by_accounts_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "squad_members" ADD CONSTRAINT "squad_members_squad_id_squads_id_fk" FOREIGN KEY ("squad_id") REFERENCES "public"."squads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "squad_members" ADD CONSTRAINT "squad_members_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "squads" ADD CONSTRAINT "squads_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "case_categories_district_id_code_index" ON "case_categories" USING btree ("district_id","code");--> statement-breakpoint
CREATE INDEX "case_categories_parent_code_index" ON "case_categories" USING btree ("parent_code");--> statement-breakpoint
CREATE INDEX "case_followers_account_id_index" ON "case_followers" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "case_history_case_id_at_index" ON "case_history" USING btree ("case_id","at");--> statement-breakpoint
CREATE INDEX "case_history_actor_id_index" ON "case_history" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "case_photos_case_id_index" ON "case_photos" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "case_photos_history_id_index" ON "case_photos" USING btree ("history_id");--> statement-breakpoint
CREATE INDEX "case_photos_uploaded_by_index" ON "case_photos" USING btree ("uploaded_by");--> statement-breakpoint
CREATE UNIQUE INDEX "case_routing_rules_district_id_category_code_index" ON "case_routing_rules" USING btree ("district_id","category_code");--> statement-breakpoint
CREATE INDEX "case_routing_rules_department_id_index" ON "case_routing_rules" USING btree ("department_id");--> statement-breakpoint
CREATE UNIQUE INDEX "case_sla_cards_case_id_status_level_due_at_index" ON "case_sla_cards" USING btree ("case_id","status","level","due_at");--> statement-breakpoint
CREATE INDEX "case_sla_cards_unit_kind_unit_id_index" ON "case_sla_cards" USING btree ("unit_kind","unit_id");--> statement-breakpoint
CREATE INDEX "case_sla_cards_district_id_at_index" ON "case_sla_cards" USING btree ("district_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_number_index" ON "cases" USING btree ("number");--> statement-breakpoint
CREATE INDEX "cases_unit_status_idx" ON "cases" USING btree ("org_unit_id","status","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "cases_community_idx" ON "cases" USING btree ("community_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "cases_reporter_idx" ON "cases" USING btree ("reporter_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "cases_squad_idx" ON "cases" USING btree ("squad_id","status");--> statement-breakpoint
CREATE INDEX "cases_department_idx" ON "cases" USING btree ("department_id","status");--> statement-breakpoint
CREATE INDEX "cases_handler_idx" ON "cases" USING btree ("handler_id");--> statement-breakpoint
CREATE INDEX "cases_handled_by_idx" ON "cases" USING btree ("handled_by");--> statement-breakpoint
CREATE INDEX "cases_district_idx" ON "cases" USING btree ("district_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "cases_due_idx" ON "cases" USING btree ("due_at") WHERE "cases"."due_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "cases_location_idx" ON "cases" USING btree ("category_code","lat","lng") WHERE "cases"."status" NOT IN ('closed', 'rated', 'not_registered');--> statement-breakpoint
CREATE INDEX "org_unit_boundaries_bbox_idx" ON "org_unit_boundaries" USING btree ("district_id","depth","min_lng","max_lng");--> statement-breakpoint
CREATE UNIQUE INDEX "squad_members_squad_id_account_id_index" ON "squad_members" USING btree ("squad_id","account_id");--> statement-breakpoint
CREATE INDEX "squad_members_account_id_index" ON "squad_members" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "squads_org_unit_id_index" ON "squads" USING btree ("org_unit_id");--> statement-breakpoint
CREATE INDEX "squads_district_id_index" ON "squads" USING btree ("district_id");