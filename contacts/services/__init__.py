"""Writes on a brand's contacts: ingestion, CSV import, tags, suppression, GDPR, validation."""
