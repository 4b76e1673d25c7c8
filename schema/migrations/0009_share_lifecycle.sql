CREATE TABLE "email_suppressions" (
	"program_id" text NOT NULL,
	"email" text NOT NULL,
	"reason" text DEFAULT 'unsubscribed' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "email_suppressions_program_id_email_pk" PRIMARY KEY("program_id","email")
);
--> statement-breakpoint
CREATE TABLE "share_emails" (
	"id" text PRIMARY KEY NOT NULL,
	"program_id" text NOT NULL,
	"member_id" text,
	"email" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"idempotency_key" text,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "share_emails_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "portal_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"program_id" text NOT NULL,
	"member_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "portal_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "programs" ADD COLUMN "share" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "programs" ADD COLUMN "enrolment" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "programs" ADD COLUMN "publishable_key" text;--> statement-breakpoint
ALTER TABLE "email_suppressions" ADD CONSTRAINT "email_suppressions_program_id_programs_id_fk" FOREIGN KEY ("program_id") REFERENCES "public"."programs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_emails" ADD CONSTRAINT "share_emails_program_id_programs_id_fk" FOREIGN KEY ("program_id") REFERENCES "public"."programs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_emails" ADD CONSTRAINT "share_emails_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_tokens" ADD CONSTRAINT "portal_tokens_program_id_programs_id_fk" FOREIGN KEY ("program_id") REFERENCES "public"."programs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_tokens" ADD CONSTRAINT "portal_tokens_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "share_emails_program_email_idx" ON "share_emails" USING btree ("program_id","email","created_at");--> statement-breakpoint
CREATE INDEX "share_emails_member_idx" ON "share_emails" USING btree ("member_id","created_at");--> statement-breakpoint
CREATE INDEX "portal_tokens_member_idx" ON "portal_tokens" USING btree ("member_id","created_at");--> statement-breakpoint
CREATE INDEX "referrals_program_order_idx" ON "referrals" USING btree ("program_id","order_id");--> statement-breakpoint
ALTER TABLE "programs" ADD CONSTRAINT "programs_publishable_key_unique" UNIQUE("publishable_key");--> statement-breakpoint
-- Programs created before publishable keys get one now (a public name for their browser script, not a secret).
UPDATE "programs" SET "publishable_key" = 'rh_pk_' || md5(random()::text || clock_timestamp()::text || "id") WHERE "publishable_key" IS NULL;
