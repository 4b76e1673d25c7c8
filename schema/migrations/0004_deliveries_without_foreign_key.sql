ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_connector_id_connectors_id_fk";
