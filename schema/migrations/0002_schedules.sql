CREATE TABLE "schedules" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"connector_id" text NOT NULL,
	"resource" text DEFAULT 'referrals' NOT NULL,
	"program_ids" text[] DEFAULT '{}' NOT NULL,
	"every" text,
	"cron" text,
	"timezone" text,
	"file_name" text NOT NULL,
	"fields" jsonb NOT NULL,
	"delimiter" text DEFAULT ',' NOT NULL,
	"gzip" boolean DEFAULT false NOT NULL,
	"send_empty" boolean DEFAULT false NOT NULL,
	"start_from" timestamp with time zone,
	"paused" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schedule_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"schedule_id" text NOT NULL,
	"status" text NOT NULL,
	"from_txid" "xid8" NOT NULL,
	"from_seq" bigint NOT NULL,
	"to_txid" "xid8" NOT NULL,
	"file_name" text NOT NULL,
	"record_count" integer,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"location" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule_runs" ADD CONSTRAINT "schedule_runs_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "schedule_runs_schedule_idx" ON "schedule_runs" USING btree ("schedule_id","started_at");