"""A virtual CCCD chip: the card side of the protocols, its files, and a vpcd bridge to pcscd."""
