"""The errors a user can cause.  The command line prints each on one line and exits with
code 2 (never a traceback); the Python API raises them as they are.

* :class:`BadInput`   a malformed value, file or option;
* :class:`LimitError` an input beyond a documented limit (docs/limits.md), naming the limit;
* :class:`ClaimError` a malformed claim, naming the file and the field (a BadInput).
"""
from __future__ import annotations


class BadInput(ValueError):
    """A user-facing input error; the CLI prints it on one line and exits with code 2."""


class LimitError(ValueError):
    """An input beyond a documented limit; the message is one line naming the limit."""


class ExpressionTooLarge(LimitError):
    """An expression beyond the size limits of ``limits.guard_expression``."""


class ClaimError(BadInput):
    """A malformed claim: one line naming the file and the field."""

    def __init__(self, source, fieldname, problem):
        self.source, self.field, self.problem = str(source), fieldname, problem
        super().__init__("%s: field '%s': %s" % (source, fieldname, problem))
