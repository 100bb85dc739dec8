"""Chip library for ICAO 9303 eMRTDs such as Vietnam's CCCD.

Layers, bottom up: transports (:mod:`nfc.transport`, :mod:`nfc.pcsc`), APDU framing (:mod:`nfc.apdu`),
secure messaging (:mod:`nfc.sm`), access control (:mod:`nfc.bac`, :mod:`nfc.pace`), the LDS files
(:mod:`nfc.lds`) and the reader that puts them together (:mod:`nfc.reader`). It knows nothing of kiosks.
"""
