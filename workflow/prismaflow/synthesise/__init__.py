"""Stage 05: PRISMA counts and per-condition-group summaries, computed from the artifacts."""
