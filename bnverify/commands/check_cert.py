"""``bnverify check-cert``: re-verify certificates with the small trusted checker."""
from __future__ import annotations

from pathlib import Path

from .. import trusted
from ..kernels import BadInput

NAME = "check-cert"
ORDER = 3
HELP = "re-verify certificate files (a file or a folder) with the trusted checker"
DESCRIPTION = """\
Re-verify certificates written by 'bnverify verify --report DIR' or 'bnverify check --cert'
with the small independent checker (bnverify/trusted/): content hash, every exact /
ball / SMT fact, and that the decisive facts give the recorded verdict on the claim's
domain.  Nothing is searched again.  One line per certificate.

exit status: 0 every certificate checks, 1 some do not, 2 usage error.

examples:
  bnverify check-cert report/certificates/
  bnverify check-cert leaky.json
"""


def add_arguments(p):
    p.add_argument("path", help="a certificate (*.json) or a folder searched recursively")


def run(args):
    path = Path(args.path)
    if path.is_dir():
        files = sorted(path.rglob("*.json"))
    elif path.is_file():
        files = [path]
    else:
        raise BadInput("%s does not exist" % path)
    if not files:
        raise BadInput("no certificates (*.json) under %s" % path)
    bad = 0
    for f in files:
        ok, msg = trusted.check_file(f)
        bad += not ok
        print("%s  %s: %s" % ("ok  " if ok else "FAIL", f, msg))
    return 1 if bad else 0
