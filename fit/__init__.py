"""Bayesian fits of breakpoints, phase transitions and power laws (``mixphase fit``)."""
