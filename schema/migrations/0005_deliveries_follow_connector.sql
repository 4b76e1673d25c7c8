-- The deliveries ledger has no foreign key to connectors (see schema/tables/deliveries.ts): this
-- trigger keeps ON DELETE CASCADE's meaning, one statement per deleted connector instead of a
-- check per inserted delivery.
CREATE FUNCTION "deliveries_follow_connector"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "deliveries" WHERE "connector_id" = OLD."id";
  RETURN OLD;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "deliveries_follow_connector" AFTER DELETE ON "connectors"
  FOR EACH ROW EXECUTE FUNCTION "deliveries_follow_connector"();--> statement-breakpoint
-- Rows a connector left behind before this (none while the foreign key held; kept for safety).
DELETE FROM "deliveries" d WHERE NOT EXISTS (SELECT 1 FROM "connectors" c WHERE c."id" = d."connector_id");
