CREATE TABLE "departments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "department_id" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "departments_district_id_code_index" ON "departments" USING btree ("district_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "departments_district_id_name_index" ON "departments" USING btree ("district_id","name");--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;