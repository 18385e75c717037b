"""Core mathematics: the arithmetics, activations and their kernels, the Gram map, the
cluster's symmetry, ranges and size limits, verdicts.  Imports nothing above it."""
