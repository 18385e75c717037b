"""bnverify: machine-checked companion to "Batch Normalization Decomposed" (arXiv 2412.02843)."""
__version__ = "0.1.0"
