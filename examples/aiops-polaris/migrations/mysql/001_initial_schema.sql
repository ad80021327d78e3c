-- migrations/mysql/001_initial_schema.sql
-- Migration: 001
-- Description: Users of the AIOps platform
-- Dependencies: none
-- Up Migration:
CREATE TABLE users (
    id INT AUTO_INCREMENT PRIMARY KEY,
    username VARCHAR(100) NOT NULL UNIQUE,
    email VARCHAR(255) NOT NULL UNIQUE,
    display_name VARCHAR(255),
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- Down Migration (Rollback):
DROP TABLE users;
