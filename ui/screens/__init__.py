"""The kiosk's screens. Each one shows what the session said (events, results) and nothing else: no
protocol, no business rule. Texts are set in ``retranslate`` so a language switch redraws them."""

from ui.screens.base import CENTER, NEXT, Body, Next, Screen, profile_title, step_name
from ui.screens.camera import CameraScreen
from ui.screens.consent import ConsentScreen, DeclinedScreen
from ui.screens.keypad import KeypadScreen
from ui.screens.outcome import ErrorScreen, OutcomeScreen, ResultScreen, display_rows
from ui.screens.reading import ReadingScreen
from ui.screens.welcome import WelcomeScreen

__all__ = ["CENTER", "NEXT", "Body", "CameraScreen", "ConsentScreen", "DeclinedScreen", "ErrorScreen",
           "KeypadScreen", "Next", "OutcomeScreen", "ReadingScreen", "ResultScreen", "Screen", "WelcomeScreen",
           "display_rows", "profile_title", "step_name"]
