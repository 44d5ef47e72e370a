"""Reviewers' export files in and out: every format read into the canonical record schema with
its record count reconciled against the file, and records written back as their tools read."""
