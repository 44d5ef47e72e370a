"""Stage 06: the review report, one self-contained HTML file built from the artifacts."""
