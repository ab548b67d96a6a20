"""mixphase.validate."""
