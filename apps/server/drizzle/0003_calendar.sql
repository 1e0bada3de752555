CREATE TABLE "calendar_days" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"date" date NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"provisional" boolean DEFAULT false NOT NULL,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_days_district_id_date_index" ON "calendar_days" USING btree ("district_id","date");--> statement-breakpoint
CREATE INDEX "calendar_days_updated_by_index" ON "calendar_days" USING btree ("updated_by");