"""Profiles and trust anchors."""
