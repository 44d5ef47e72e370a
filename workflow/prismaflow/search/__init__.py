"""Stage 01: search. Parsers of database responses, snapshot replay and the search log."""
