"""What the text implies: dates, names, identifiers, venues, categories, keys."""
