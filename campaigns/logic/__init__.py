"""Pure decision logic of campaigns (no database): the lifecycle state machine."""
