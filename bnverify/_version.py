"""The version, in a module of its own: cli, the certificate writer and the report's provenance
print it without importing the package's API (pyproject.toml and CITATION.cff carry the same
string; tests/test_packaging.py keeps them equal)."""
__version__ = "0.1.0"
