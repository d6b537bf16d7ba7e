"""Writes on campaigns: lifecycle, launch, dispatch, recording, recovery, tracking, event intake."""
