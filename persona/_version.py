"""The version of persona: the one place it is written (setup.py reads it from here)."""

__version__ = "1.0.0"
