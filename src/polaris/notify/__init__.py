"""Notifications: an outbox in the store, delivered by webhooks (JSON, Slack) and SMTP e-mail."""
