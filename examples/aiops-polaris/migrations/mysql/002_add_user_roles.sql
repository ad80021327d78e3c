-- migrations/mysql/002_add_user_roles.sql
-- Migration: 002
-- Description: Roles, and the role of each user
-- Dependencies: 001_initial_schema.sql
-- Up Migration:
CREATE TABLE roles (
    id INT AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(50) NOT NULL UNIQUE,
    description TEXT
);

INSERT INTO roles (name, description) VALUES
    ('admin', 'Full access, including releases and rollbacks'),
    ('operator', 'Acknowledges and resolves incidents'),
    ('viewer', 'Read-only access');

ALTER TABLE users ADD COLUMN role_id INT NULL;
ALTER TABLE users ADD CONSTRAINT fk_users_role FOREIGN KEY (role_id) REFERENCES roles(id);

-- Down Migration (Rollback):
ALTER TABLE users DROP FOREIGN KEY fk_users_role;
ALTER TABLE users DROP COLUMN role_id;
DROP TABLE roles;
