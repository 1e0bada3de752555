CREATE TABLE "service_item_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"guide" jsonb NOT NULL,
	"change_note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_by" uuid,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "service_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"code" text NOT NULL,
	"mode" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"name" text NOT NULL,
	"department" text NOT NULL,
	"item_type" text NOT NULL,
	"case_type" text NOT NULL,
	"promised_days" integer,
	"onsite_visits" integer DEFAULT 1 NOT NULL,
	"life_events" text[] DEFAULT '{}'::text[] NOT NULL,
	"published_version" integer,
	"published_at" timestamp with time zone,
	"popularity" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_offerings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"location" text NOT NULL,
	"hours" text NOT NULL,
	"phone" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_synonyms" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"terms" text[] NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "service_item_versions" ADD CONSTRAINT "service_item_versions_item_id_service_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."service_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_offerings" ADD CONSTRAINT "service_offerings_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_offerings" ADD CONSTRAINT "service_offerings_item_id_service_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."service_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "service_item_versions_item_id_version_index" ON "service_item_versions" USING btree ("item_id","version");--> statement-breakpoint
CREATE INDEX "service_item_versions_item_id_status_index" ON "service_item_versions" USING btree ("item_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "service_items_district_id_code_index" ON "service_items" USING btree ("district_id","code");--> statement-breakpoint
CREATE INDEX "service_items_district_id_status_department_index" ON "service_items" USING btree ("district_id","status","department");--> statement-breakpoint
CREATE UNIQUE INDEX "service_offerings_org_unit_id_item_id_index" ON "service_offerings" USING btree ("org_unit_id","item_id");--> statement-breakpoint
CREATE INDEX "service_offerings_item_id_index" ON "service_offerings" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "service_synonyms_district_id_index" ON "service_synonyms" USING btree ("district_id");