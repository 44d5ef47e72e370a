"""Live searches of PubMed (E-utilities) and Scopus (Search API): rate-limited, retried,
resumable, and never silently short."""
