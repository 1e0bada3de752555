CREATE SEQUENCE "public"."application_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "number" text;--> statement-breakpoint
-- Applications filed before receipt numbers get theirs in the order they were submitted, dated
-- by their Beijing submission day; new ones follow on from the sequence.
UPDATE "applications" a SET "number" = n."number" FROM (
  SELECT x."id", coalesce(u."code", 'X') || '-BJ' || to_char(x."created_at" AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(x."n"::text, greatest(4, length(x."n"::text)), '0') AS "number"
  FROM (SELECT "id", "district_id", "created_at", row_number() OVER (ORDER BY "created_at", "id") AS "n" FROM "applications") x
  LEFT JOIN "org_units" u ON u."id" = x."district_id"
) n WHERE a."id" = n."id";--> statement-breakpoint
SELECT setval('application_number_seq', (SELECT count(*) FROM "applications") + 1, false);--> statement-breakpoint
ALTER TABLE "applications" ALTER COLUMN "number" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "materials_to_bring" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "applications_number_idx" ON "applications" USING btree ("number");
