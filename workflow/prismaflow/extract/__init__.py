"""Stage 04: one row per included study, every value with its source and confidence."""
