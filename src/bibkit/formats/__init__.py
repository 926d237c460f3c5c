"""Formats: the registry and sniffing, the mapping tables, readers and writers."""
