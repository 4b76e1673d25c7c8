CREATE TABLE "inbound_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"connector_id" text,
	"content_type" text,
	"raw_body" text NOT NULL,
	"status" integer NOT NULL,
	"answer" jsonb,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "inbound_requests_source_idx" ON "inbound_requests" USING btree ("source","id");--> statement-breakpoint
CREATE INDEX "inbound_requests_connector_idx" ON "inbound_requests" USING btree ("connector_id","id");