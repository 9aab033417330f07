"""Accounts, roles, organisations, jurisdiction scopes and the one authorization function."""
