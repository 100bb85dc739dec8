"""PySide6 screens (not built yet)."""
