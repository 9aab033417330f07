"""The authoritative records: divisions, administrations, institutions, persons."""
