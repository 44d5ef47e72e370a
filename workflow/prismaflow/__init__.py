"""prismaflow: a PRISMA 2020 systematic review as a reproducible, gated Snakemake workflow."""

__version__ = "0.1.0"
