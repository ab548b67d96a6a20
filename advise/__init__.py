"""mixphase.advise."""
