"""Persons (physicians and nurses): what their domains share — sign-up against a qualification
record, contact codes, the applicant of a person's case and who reads it. Each domain keeps its
own records, wording and rules and registers them here."""
