"""Trust: Passive, Active and Chip Authentication, and the CSCA store."""
