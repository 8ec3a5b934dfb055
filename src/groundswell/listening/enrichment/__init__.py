"""Offline enrichment models for listening: language (py3langid), sentiment (a linear model shipped as a
weights file) and intent (rules). ``listening.enrich.enrich`` is the entry point the pipeline calls."""
