CREATE TABLE "connector_replays" (
	"connector_id" text NOT NULL,
	"event_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connector_replays_connector_id_event_id_pk" PRIMARY KEY("connector_id","event_id")
);
--> statement-breakpoint
CREATE TABLE "connectors" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"settings" jsonb NOT NULL,
	"secrets_sealed" text,
	"events" text[] DEFAULT '{}' NOT NULL,
	"program_ids" text[] DEFAULT '{}' NOT NULL,
	"mapping" jsonb,
	"enabled" boolean DEFAULT true NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"status_reason" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"inbound_token" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connectors_inbound_token_unique" UNIQUE("inbound_token")
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"connector_id" text NOT NULL,
	"event_id" text NOT NULL,
	"event_type" text NOT NULL,
	"record_key" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"last_error" text,
	"response_code" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "connector_replays" ADD CONSTRAINT "connector_replays_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connectors_kind_idx" ON "connectors" USING btree ("kind");--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_connector_event_uq" ON "deliveries" USING btree ("connector_id","event_id");--> statement-breakpoint
CREATE INDEX "deliveries_connector_idx" ON "deliveries" USING btree ("connector_id","id");