"""One module per ``bnverify`` sub-command (see :mod:`bnverify.cli`)."""
