"""Stage 03: screening by protocol rules and reviewers, with PRISMA reasons."""
