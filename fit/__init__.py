"""mixphase.fit."""
