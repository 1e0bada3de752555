CREATE TABLE "patrol_points" (
	"id" uuid PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patrol_sessions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_id" uuid NOT NULL,
	"squad_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"distance_m" double precision DEFAULT 0 NOT NULL,
	"point_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "patrol_session_id" uuid;--> statement-breakpoint
ALTER TABLE "patrol_points" ADD CONSTRAINT "patrol_points_session_id_patrol_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."patrol_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patrol_sessions" ADD CONSTRAINT "patrol_sessions_squad_id_squads_id_fk" FOREIGN KEY ("squad_id") REFERENCES "public"."squads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patrol_sessions" ADD CONSTRAINT "patrol_sessions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "patrol_points_session_id_at_index" ON "patrol_points" USING btree ("session_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "patrol_sessions_one_active_uq" ON "patrol_sessions" USING btree ("account_id") WHERE "patrol_sessions"."status" = 'active';--> statement-breakpoint
CREATE INDEX "patrol_sessions_squad_id_started_at_index" ON "patrol_sessions" USING btree ("squad_id","started_at");--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_patrol_session_id_patrol_sessions_id_fk" FOREIGN KEY ("patrol_session_id") REFERENCES "public"."patrol_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cases_patrol_idx" ON "cases" USING btree ("patrol_session_id") WHERE "cases"."patrol_session_id" IS NOT NULL;