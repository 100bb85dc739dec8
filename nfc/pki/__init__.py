"""Public-key infrastructure of ICAO 9303-12: X.509 certificates and their checks, CMS signer signatures, CSCA
master lists and CRLs, and the key loader that also reads EC keys given with explicit curve parameters.

Pure functions over certificates and bytes; what is trusted (the CSCA store) and the chip checks built on
these (Passive, Active, Chip Authentication) are :mod:`nfc.trust`'s. All signature maths is `cryptography`'s.
"""
