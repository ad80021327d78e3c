-- migrations/mysql/004_add_incident_indexes.sql
-- Migration: 004
-- Description: Indexes for the incident dashboard (open incidents by severity, recent first)
-- Dependencies: 003_create_incidents_table.sql
-- Up Migration:
CREATE INDEX idx_incidents_status_severity ON incidents(status, severity);
CREATE INDEX idx_incidents_severity_created ON incidents(severity, created_at);
CREATE INDEX idx_incidents_resolved_at ON incidents(resolved_at);

-- Down Migration (Rollback):
DROP INDEX idx_incidents_resolved_at ON incidents;
DROP INDEX idx_incidents_severity_created ON incidents;
DROP INDEX idx_incidents_status_severity ON incidents;
