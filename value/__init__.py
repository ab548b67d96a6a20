"""mixphase.value."""
