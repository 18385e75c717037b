"""``bnverify check-cert``: re-verify certificates with the small trusted checker."""
from __future__ import annotations

import json
import re
from pathlib import Path

from .. import trusted
from ..core import limits
from ..report import pretty
from ..errors import BadInput
from ..core.limits import show
from . import exits, options
from .output import emit_json, say

NAME = "check-cert"
HELP = "re-verify certificate files (a file or a folder) with the trusted checker"
DESCRIPTION = """\
Re-verify certificates written by 'bnverify verify --report DIR' or 'bnverify check --cert'
with the small independent checker (bnverify/trusted/): content hash, every exact /
ball / SMT fact, and that the decisive facts give the recorded verdict on the claim's
domain.  Nothing is searched again.  One line per certificate, then a summary line
("3 certificates: 3 ok, 0 rejected"); --json prints {"certificates": [{"path", "ok",
"message"}, ...], "summary": {"total", "ok", "rejected"}} instead.

Every file is read first: each must be a JSON document (UTF-8, at most 50 MB, nested at
most 100 deep, no NaN / Infinity).  A file that is not (binary, not UTF-8, not JSON, too
deep, unreadable) is a usage error: one line on stderr, exit 2, and nothing is checked.  A
JSON document that is not a valid certificate is rejected: a FAIL line, exit 1.

exit status: 0 every certificate checks, 1 some are rejected, 2 usage error, 4 internal error.

examples:
  bnverify check-cert report/certificates/
  bnverify check-cert leaky.json
  bnverify check-cert report/certificates/ --json
"""


def add_arguments(p):
    p.add_argument("path", help="a certificate (*.json) or a folder searched recursively")
    options.add_json(p, 'print {"certificates": [{"path", "ok", "verdict", "message"}], "summary": {...}}')


def _no_constant(name):
    raise ValueError("%s is not JSON" % name)


def load(path):
    """The parsed JSON document of a certificate file; BadInput (one line) if it is not one."""
    try:
        with open(path, "rb") as f:
            raw = f.read(limits.MAX_CERT_BYTES + 1)
    except OSError as e:
        raise BadInput("%s: cannot read: %s" % (path, e.strerror or e))
    if len(raw) > limits.MAX_CERT_BYTES:
        raise BadInput("%s: larger than %d bytes: not a certificate" % (path, limits.MAX_CERT_BYTES))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInput("%s: not UTF-8 text (byte 0x%02x at offset %d): not a certificate"
                       % (path, raw[e.start], e.start))
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise BadInput("%s: JSON nested too deeply (at most %d levels)" % (path, limits.MAX_CERT_DEPTH))
    except ValueError as e:         # JSONDecodeError, NaN, an integer of more than 4300 digits
        raise BadInput("%s: not JSON: %s" % (path, " ".join(str(e).split())[:200]))
    if limits.depth_of(doc, limits.MAX_CERT_DEPTH) > limits.MAX_CERT_DEPTH:
        raise BadInput("%s: JSON nested too deeply (at most %d levels)" % (path, limits.MAX_CERT_DEPTH))
    return doc


def run(args):
    show_row = None if args.json else lambda row: say(entry("ok  " if row["ok"] else "FAIL", row["path"],
                                                            row["message"]))
    doc = compute(args, each=show_row)         # a line per certificate as it is checked
    if args.json:
        emit_json(doc)
    else:
        print(summary_line(doc["summary"]))
    return exits.REFUTED if doc["summary"]["rejected"] else exits.OK


def compute(args, each=None):
    """The --json document (``bnv.check_cert`` wraps it): per certificate whether the trusted
    checker accepts it, what it proves and the checker's message; ``each(row)`` is called as
    each certificate is checked."""
    if not args.path.strip() or "\0" in args.path:
        raise BadInput("%s is not a path" % show(args.path))
    path = Path(args.path)
    if path.is_dir():
        files = sorted(f for f in path.rglob("*.json") if f.is_file())
    elif path.is_file():
        files = [path]
    elif path.exists():
        raise BadInput("%s is not a file or a folder" % path)
    else:
        raise BadInput("%s does not exist" % path)
    if not files:
        raise BadInput("no certificates (*.json) under %s" % path)
    docs = [load(f) for f in files]         # every file is a JSON document before any is checked
    rows = []
    for f, doc in zip(files, docs):
        ok, msg = trusted.check(doc)
        verdict = doc.get("verdict") if ok and isinstance(doc, dict) else None      # what the certificate proves
        rows.append({"path": str(f), "ok": bool(ok), "verdict": verdict,
                     "message": " ".join(str(msg).split()) if ok else _short(msg)})
        if each:
            each(rows[-1])
    bad = sum(not r["ok"] for r in rows)
    return {"certificates": rows, "summary": {"total": len(rows), "ok": len(rows) - bad, "rejected": bad}}


def entry(status, path, message):
    """'ok    PATH: message' wrapped to the terminal, continuation lines indented; the status and
    the path stay on the first line whatever their length."""
    head = "%s  %s:" % (status, path)
    if len(head) + 20 > pretty.columns():
        return [head] + pretty.wrap(message, " " * 6)
    return pretty.wrap(message, head + " ", " " * 6)


_LONG = re.compile(r"\S{200,}")


def _short(msg):
    """A rejection on one line, each run of 200+ characters (a forged million-digit number
    quoted back) cut to its ends and its length.  An ok line keeps the statement whole."""
    return _LONG.sub(lambda m: "%s...%s (%d characters)" % (m.group()[:40], m.group()[-8:], len(m.group())),
                     " ".join(str(msg).split()))


def summary_line(summary):
    """"3 certificates: 2 ok, 1 rejected"."""
    return "%d certificate%s: %d ok, %d rejected" % (summary["total"], "" if summary["total"] == 1 else "s",
                                                     summary["ok"], summary["rejected"])
