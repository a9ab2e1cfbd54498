"""Version of the cs3_jupyter package (read by hatch at build time)."""

__version__ = "0.2.0"
