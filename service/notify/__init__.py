"""Notifications: an outbox table and pluggable SMS / e-mail gateways."""
