"""Local servers on 127.0.0.1 that behave like the upstream systems, with their errors."""
