"""Sub-commands of ``python -m kiosk``."""
