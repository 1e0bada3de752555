CREATE TABLE "case_hotspots_daily" (
	"day" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"community_id" uuid NOT NULL,
	"category_code" text NOT NULL,
	"cell_lat" integer NOT NULL,
	"cell_lng" integer NOT NULL,
	"cases" integer DEFAULT 0 NOT NULL,
	"hot" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_stats_weekly" (
	"kind" text NOT NULL,
	"week" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"community_id" uuid NOT NULL,
	"category_code" text NOT NULL,
	"reported" integer DEFAULT 0 NOT NULL,
	"complaints" integer DEFAULT 0 NOT NULL,
	"s_reported" integer DEFAULT 0 NOT NULL,
	"s_registered" integer DEFAULT 0 NOT NULL,
	"s_not_registered" integer DEFAULT 0 NOT NULL,
	"s_dispatched" integer DEFAULT 0 NOT NULL,
	"s_accepted" integer DEFAULT 0 NOT NULL,
	"s_handling" integer DEFAULT 0 NOT NULL,
	"s_handled" integer DEFAULT 0 NOT NULL,
	"s_closed" integer DEFAULT 0 NOT NULL,
	"s_rated" integer DEFAULT 0 NOT NULL,
	"r_satisfied" integer DEFAULT 0 NOT NULL,
	"r_basically_satisfied" integer DEFAULT 0 NOT NULL,
	"r_unsatisfied" integer DEFAULT 0 NOT NULL,
	"f_register" integer DEFAULT 0 NOT NULL,
	"f_not_register" integer DEFAULT 0 NOT NULL,
	"f_dispatch" integer DEFAULT 0 NOT NULL,
	"f_send_back" integer DEFAULT 0 NOT NULL,
	"f_accept" integer DEFAULT 0 NOT NULL,
	"f_handle" integer DEFAULT 0 NOT NULL,
	"f_verify_pass" integer DEFAULT 0 NOT NULL,
	"f_verify_fail" integer DEFAULT 0 NOT NULL,
	"o_register" integer DEFAULT 0 NOT NULL,
	"o_not_register" integer DEFAULT 0 NOT NULL,
	"o_dispatch" integer DEFAULT 0 NOT NULL,
	"o_send_back" integer DEFAULT 0 NOT NULL,
	"o_accept" integer DEFAULT 0 NOT NULL,
	"o_handle" integer DEFAULT 0 NOT NULL,
	"o_verify_pass" integer DEFAULT 0 NOT NULL,
	"o_verify_fail" integer DEFAULT 0 NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	"handling_hours" double precision DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "case_hotspots_daily_hot" ON "case_hotspots_daily" USING btree ("day") WHERE "case_hotspots_daily"."hot";--> statement-breakpoint
CREATE INDEX "case_hotspots_daily_cell" ON "case_hotspots_daily" USING btree ("category_code","cell_lat","cell_lng","day");--> statement-breakpoint
CREATE UNIQUE INDEX "case_hotspots_daily_key" ON "case_hotspots_daily" USING btree ("day","unit_id","community_id","category_code","cell_lat","cell_lng");--> statement-breakpoint
CREATE UNIQUE INDEX "case_stats_weekly_key" ON "case_stats_weekly" USING btree ("unit_id","kind","category_code","week","community_id");