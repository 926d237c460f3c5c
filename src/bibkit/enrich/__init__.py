"""Enrichment: filling citations from other sources (a local library now; remote resolvers
build on the same matching and merge rules)."""
