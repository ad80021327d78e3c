"""AIOps Polaris agent services: incident triage, correlation and remediation agents."""

__version__ = "2.1.0"

# Not a version of ours: the agent protocol revision spoken with the API (see docs).
PROTOCOL_REVISION = "3"
