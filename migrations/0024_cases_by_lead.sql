-- The team queue's "Mijn casussen" tab and its count look cases up by lead or coordinator;
-- without these they read every case of the table (a BitmapOr of the two now).
CREATE INDEX cases_lead ON cases (tenant_id, lead_id) WHERE status <> 'afgesloten';
CREATE INDEX cases_coordinator ON cases (tenant_id, coordinator_id) WHERE status <> 'afgesloten';
