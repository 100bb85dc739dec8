"""The kiosk screen (PySide6): a window that follows one :class:`kiosk.session.CheckInSession` at a time.

``app`` the window and its top bar · ``screens`` welcome, reading, consent, camera, result, error ·
``operator`` the PIN and the staff panel · ``worker`` the session's thread · ``preview`` the camera
preview's thread · ``i18n`` Vietnamese / English · ``theme`` large type, high contrast, text size.
Run it with ``python -m kiosk ui [--demo]``.
"""
