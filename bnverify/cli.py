"""Command line: ``bnverify <command> ...``.

Each command lives in its own module under :mod:`bnverify.commands`, is listed in
``COMMANDS`` and defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.  Errors a user can
cause are reported here on one line with exit code 2, never as a traceback.

Exit codes of the safety net in :func:`main`, the same for every command (each command's own
0 / 1 / 3 are in its --help; the README's "Exit codes" table has them all, and a test keeps the
table equal to each command's returns):

* 2   usage error: :class:`BadInput` or :class:`bnverify.core.limits.LimitError` (an input beyond
      a documented limit), one line ``bnverify <command>: error: ...`` on stderr;
* 4   internal error: any other exception escaping a command is a bug, reported on one line
      ``bnverify: internal error: <type>: <message> (please report)``; set BNVERIFY_TRACEBACK=1
      to see the traceback as well;
* 130 interrupted (Ctrl-C): one line ``bnverify: interrupted``.
"""
from __future__ import annotations

import argparse
import errno
import os
import sys
import time

# before the imports below (numpy, sympy, flint: a second or more on a loaded machine), so that a
# command's --budget can count the whole run from start-up (kernel: "wall-clock seconds")
IMPORTED = time.monotonic()

from ._version import __version__
from .commands import (atlas, attractor, basins, bsb1, check, check_cert, decompose, endstate, exits, gradients, gram_starts,
                       jacobian, kernel,
                       lyapunov, phase, rank, report, simplex, simulate, verify)
from .errors import BadInput, LimitError

# every sub-command, in the order --help lists them; a new command is imported above and added here
COMMANDS = [verify, check, check_cert, report, simulate, decompose, lyapunov, phase, endstate, jacobian, attractor,
            simplex, rank, gram_starts, basins, kernel, bsb1, gradients, atlas]

USAGE_ERROR = exits.USAGE
INTERNAL_ERROR = exits.INTERNAL
INTERRUPTED = exits.INTERRUPTED
MAX_MESSAGE = 400


def one_line(message, limit=MAX_MESSAGE):
    """A message on one line of at most ``limit`` characters."""
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write("%s: error: %s\n" % (self.prog, one_line(message)))
        sys.exit(USAGE_ERROR)

    def parse_args(self, args=None, namespace=None):
        """argparse's, except that an unknown option is reported by the command's own parser
        (argparse leaves it to the top one: 'bnverify: error: unrecognized arguments'), with
        the command's nearest option."""
        found, extra = self.parse_known_args(args, namespace)
        if extra:
            parser = getattr(self, "commands", {}).get(getattr(found, "command", None), self)
            parser.error("unrecognized arguments: %s%s" % (" ".join(extra), suggestion(parser, extra)))
        return found


SAME = {"--layers": "--depth", "--activation": "--stages", "--n-grid": "--n", "--layer": "--depth"}   # one grammar


def suggestion(parser, extra):
    """' (did you mean --stages?)' for the first unknown option of ``extra`` that is close to
    one of ``parser``'s, else ''."""
    import difflib

    known = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    for word in extra:
        if word.startswith("--"):
            word = word.split("=", 1)[0]
            near = [SAME[word]] if SAME.get(word) in known else \
                difflib.get_close_matches(word, known, n=1, cutoff=0.7)
            if near:
                return " (did you mean %s? see %s --help)" % (near[0], parser.prog)
    return " (see %s --help)" % parser.prog


def build_parser(only=None):
    """The whole command line; with ``only`` (a command's name) just that command's parser below the
    top level (a run parses one command: the other 24 parsers would be built for nothing)."""
    p = _Parser(prog="bnverify", description=(
        "Machine-checked verdicts (proved / refuted / inconclusive) for the claims of "
        "'Batch Normalization Decomposed' (arXiv 2412.02843) about the one-cluster-plus-"
        "outlier configuration."))
    p.commands = {}             # command name -> its parser, for its own errors
    p.add_argument("--version", action="version", version="bnverify " + __version__)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for mod in COMMANDS:
        if only is not None and mod.NAME != only:
            continue
        sp = sub.add_parser(mod.NAME, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP),
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(sp)
        sp.set_defaults(_run=mod.run)
        p.commands[mod.NAME] = sp
    return p


def main(argv=None):
    """Run one command; returns its exit code (see the module docstring).  argparse's own
    errors and --help / --version still leave through SystemExit (codes 2 and 0)."""
    command = None
    try:
        # the run's start: the process's (as near as Python lets us see it) when run from the shell,
        # this call's when main() is called in-process (tests, notebooks)
        started = IMPORTED if argv is None else time.monotonic()
        argv = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser(only=argv[0] if argv and argv[0] in {m.NAME for m in COMMANDS} else None)
        args = parser.parse_args(argv)
        command = getattr(args, "command", None)
        args.started = started
        if not getattr(args, "_run", None):
            parser.print_help()
            return USAGE_ERROR
        code = args._run(args) or exits.OK
        sys.stdout.flush()          # a full or failing stdout is reported here, not at exit
        return code
    except (BadInput, LimitError) as e:
        sys.stderr.write("%s: error: %s\n" % ("bnverify " + command if command else "bnverify", one_line(e)))
        return USAGE_ERROR
    except BrokenPipeError:         # output piped into head & co.
        try:
            sys.stderr.close()
        except Exception:
            pass
        return exits.OK
    except OSError as e:
        if e.errno not in _OUTPUT_ERRNOS:
            return _internal(e)
        # stdout redirected to a full disk, /dev/full, a file past its size limit: the
        # user's choice of place, as for --cert (bnverify.files), so a usage error
        _silence_stdout()
        sys.stderr.write("%s: error: cannot write the output: %s\n"
                         % ("bnverify " + command if command else "bnverify", e.strerror or e))
        return USAGE_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("bnverify: interrupted\n")
        return INTERRUPTED
    except SystemExit:
        raise
    except BaseException as e:      # a bug: one line, never a traceback (unless asked for)
        return _internal(e)


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def _silence_stdout():
    """Drop what stdout still buffers: flushing it again at exit would fail the same way and
    Python would print 'Exception ignored' after our one line."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _internal(e):
    if os.environ.get("BNVERIFY_TRACEBACK"):
        import traceback

        traceback.print_exc()
    sys.stderr.write("bnverify: internal error: %s: %s (please report)\n"
                     % (type(e).__name__, one_line(e, 300)))
    return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
