"""Models of this app (see the issues)."""
