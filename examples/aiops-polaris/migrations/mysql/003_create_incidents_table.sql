-- migrations/mysql/003_create_incidents_table.sql
-- Migration: 003
-- Description: Create incidents table with enhanced fields
-- Dependencies: 002_add_user_roles.sql
-- Up Migration:
CREATE TABLE incidents (
    id INT AUTO_INCREMENT PRIMARY KEY,
    title VARCHAR(255) NOT NULL,
    description TEXT,
    severity ENUM('low', 'medium', 'high', 'critical') NOT NULL,
    status ENUM('open', 'investigating', 'resolved', 'closed') DEFAULT 'open',
    assigned_to INT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    resolved_at TIMESTAMP NULL,
    FOREIGN KEY (assigned_to) REFERENCES users(id)
);

CREATE INDEX idx_incidents_severity ON incidents(severity);
CREATE INDEX idx_incidents_status ON incidents(status);
CREATE INDEX idx_incidents_created_at ON incidents(created_at);

-- Down Migration (Rollback):
DROP INDEX idx_incidents_created_at ON incidents;
DROP INDEX idx_incidents_status ON incidents;
DROP INDEX idx_incidents_severity ON incidents;
DROP TABLE incidents;
