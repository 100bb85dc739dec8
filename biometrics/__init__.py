"""Face portrait decoding, frame sources, face matching and liveness."""
