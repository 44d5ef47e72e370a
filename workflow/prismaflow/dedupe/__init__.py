"""Stage 02: deduplication that links records to a canonical record instead of deleting them."""
