"""The check-in application: sessions, access keys, adapters, outbox, CLI."""
