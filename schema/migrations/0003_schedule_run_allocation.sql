ALTER TABLE "schedule_runs" ADD COLUMN "allocated_by" text;--> statement-breakpoint
CREATE UNIQUE INDEX "schedule_runs_allocated_by_uq" ON "schedule_runs" USING btree ("allocated_by");