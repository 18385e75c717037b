"""Command line: ``bnverify <command> ...``.

Each command lives in its own module under :mod:`bnverify.commands` and defines
``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.  Errors a user can
cause are reported here on one line with exit code 2, never as a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import __version__
from .kernels import BadInput

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write("%s: error: %s\n" % (self.prog, message))
        sys.exit(USAGE_ERROR)


def _commands():
    from . import commands

    mods = [importlib.import_module("%s.%s" % (commands.__name__, m.name))
            for m in pkgutil.iter_modules(commands.__path__)]
    return sorted((m for m in mods if hasattr(m, "NAME")), key=lambda m: getattr(m, "ORDER", 50))


def build_parser():
    p = _Parser(prog="bnverify", description=(
        "Machine-checked verdicts (proved / refuted / inconclusive) for the claims of "
        "'Batch Normalization Decomposed' (arXiv 2412.02843) about the one-cluster-plus-"
        "outlier configuration."))
    p.add_argument("--version", action="version", version="bnverify " + __version__)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for mod in _commands():
        sp = sub.add_parser(mod.NAME, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP),
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(sp)
        sp.set_defaults(_run=mod.run)
    return p


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return USAGE_ERROR
    try:
        return args._run(args) or 0
    except BadInput as e:
        sys.stderr.write("bnverify %s: error: %s\n" % (args.command, e))
        return USAGE_ERROR
    except BrokenPipeError:         # output piped into head & co.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("bnverify: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
