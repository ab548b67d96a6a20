"""mixphase.simulate."""
