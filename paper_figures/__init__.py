"""mixphase.paper_figures."""
