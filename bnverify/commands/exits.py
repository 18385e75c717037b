"""The exit codes of every command, by name (the README's "Exit codes" table gives each
command's meaning of them; tests/test_cli_conventions.py keeps the table equal to the codes
each command returns).  A command returns OK, REFUTED or UNDECIDED; USAGE, INTERNAL and
INTERRUPTED are returned by the safety net in :func:`bnverify.cli.main`, the same for every
command."""

OK = 0              # proved / every verdict as expected / done
REFUTED = 1         # refuted / some verdict differs / some certificate rejected
USAGE = 2           # a usage error: one line on stderr
UNDECIDED = 3       # inconclusive / some n undecided / not proved
INTERNAL = 4        # a bug: one line on stderr (BNVERIFY_TRACEBACK=1 for the traceback)
INTERRUPTED = 130   # Ctrl-C
