"""Destination adapters: one small class per place's system, all behind :class:`kiosk.adapters.base.Adapter`."""
