CREATE SEQUENCE "public"."case_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
-- Numbers of cases already filed today stay unique: the sequence starts past the highest running
-- number any district-day counter reached (numbers no longer restart each day).
SELECT setval('case_number_seq', COALESCE((SELECT max("last") FROM "case_number_counters"), 0) + 1, false);--> statement-breakpoint
DROP TABLE "case_number_counters" CASCADE;