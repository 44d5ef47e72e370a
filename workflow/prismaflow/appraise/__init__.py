"""Stage 05: risk of bias, assessed with the tool the protocol names for each study design."""
