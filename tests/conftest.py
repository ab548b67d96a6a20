"""Test configuration: one torch thread per worker (pytest -n 2 on 2 cores), headless plots."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OMP_NUM_THREADS", "1")
