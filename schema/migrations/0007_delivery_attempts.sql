CREATE TABLE "connector_recoveries" (
	"id" text PRIMARY KEY NOT NULL,
	"connector_id" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"queued" integer,
	"queued_at" timestamp with time zone,
	"remaining" integer,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"dead" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "delivery_attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"delivery_id" text NOT NULL,
	"connector_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"outcome" text NOT NULL,
	"http_status" integer,
	"response_excerpt" text,
	"error_kind" text,
	"error_message" text,
	"trigger" text NOT NULL,
	"recovery_id" text
);
--> statement-breakpoint
ALTER TABLE "connector_replays" ADD COLUMN "trigger" text DEFAULT 'replay' NOT NULL;--> statement-breakpoint
ALTER TABLE "connector_replays" ADD COLUMN "recovery_id" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "last_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "connector_recoveries" ADD CONSTRAINT "connector_recoveries_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connector_recoveries_connector_idx" ON "connector_recoveries" USING btree ("connector_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "connector_recoveries_running_uq" ON "connector_recoveries" USING btree ("connector_id","since") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "delivery_attempts_delivery_idx" ON "delivery_attempts" USING btree ("delivery_id","attempt");--> statement-breakpoint
CREATE INDEX "delivery_attempts_recovery_idx" ON "delivery_attempts" USING btree ("recovery_id");--> statement-breakpoint
CREATE INDEX "connector_replays_recovery_idx" ON "connector_replays" USING btree ("recovery_id");--> statement-breakpoint
CREATE INDEX "deliveries_retrying_idx" ON "deliveries" USING btree ("connector_id") WHERE status = 'retrying';--> statement-breakpoint
CREATE INDEX "deliveries_unsent_idx" ON "deliveries" USING btree ("connector_id","last_attempt_at") WHERE status in ('failed', 'dead');--> statement-breakpoint
-- Rows written before attempts were kept: their last attempt is their last update.
UPDATE "deliveries" SET "last_attempt_at" = "updated_at" WHERE "last_attempt_at" IS NULL;
