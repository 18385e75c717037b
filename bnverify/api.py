"""The Python API (docs/api.md): what ``import bnverify as bnv`` offers.

    bnv.catalogue()                  the built-in claims (a list of Claim)
    bnv.claim("attractor")           one of them
    bnv.Claim.from_toml(path)        a claim file;  bnv.Claim.from_dict({...}) a claim as data
    bnv.check(claim_id_dict_or_path) one Result (claim + verdict), kernel-checked
    bnv.verify(ids=None)             Results for the catalogue (or the given ids)

Results show as a table in Jupyter (``_repr_html_``) and as JSON with ``to_json()``.  Every
call is safe in a plain script without an ``if __name__ == "__main__":`` guard (the worker
pool never re-imports the caller; a single job runs in this process).  Errors a user can
cause raise :class:`bnverify.errors.BadInput` (ClaimError for a malformed claim) with a
one-line message.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

from .claims import spec
from .errors import BadInput

COLOURS = {"proved": "#1a7f37", "refuted": "#cf222e", "inconclusive": "#9a6700"}


def catalogue(directory=None):
    """The built-in catalogue (or the claims of ``directory``), ordered so that a claim comes
    after the claims it uses."""
    return spec.load_catalogue(directory)


def claim(claim_id):
    """The catalogue's claim with this id."""
    for c in catalogue():
        if c.id == claim_id:
            return c
    raise BadInput("no claim %r in the catalogue (known: %s)" % (
        claim_id, ", ".join(c.id for c in catalogue())))


def as_claim(obj):
    """A Claim from a Claim, a dict (the claim-file schema, docs/claims-schema.md), a catalogue
    id (``"stability-naive"``) or the path of a claim file."""
    if isinstance(obj, spec.Claim):
        return obj
    if isinstance(obj, dict):
        return spec.Claim.from_dict(obj)
    if isinstance(obj, str) and not obj.endswith(".toml") and not Path(obj).exists():
        return claim(obj)                   # an id: the path reading made it "no such file"
    if isinstance(obj, (str, Path)):
        return spec.Claim.from_toml(obj)
    raise BadInput("check() takes a Claim, a dict or a claim file's path, not %s" % type(obj).__name__)


def check(obj, executor=None, jobs=None, progress=False):
    """Decide one claim: a :class:`Result` (``.verdict`` has status, method, evidence and the
    certificate).  ``executor``: any concurrent.futures.Executor for its per-n jobs."""
    return verify_claims([as_claim(obj)], executor=executor, jobs=jobs, progress=progress)[0]


def verify(ids=None, executor=None, jobs=None, progress=False):
    """Decide the catalogue's claims (all, or those with the given ids; ``full`` claims only
    when named): :class:`Results`, in catalogue order."""
    cs = catalogue()
    if ids is None:
        chosen = [c for c in cs if not c.full]
    else:
        ids = [ids] if isinstance(ids, str) else list(ids)
        unknown = sorted(set(ids) - {c.id for c in cs})
        if unknown:
            raise BadInput("no claim %s in the catalogue" % ", ".join(map(repr, unknown)))
        chosen = [c for c in cs if c.id in ids]
    return verify_claims(chosen, executor=executor, jobs=jobs, progress=progress)


def verify_claims(cs, executor=None, jobs=None, progress=False):
    """Results for a list of Claims (the runner: identical jobs once, per-n jobs in parallel)."""
    from .claims import runner
    return Results(runner.run(list(cs), executor=executor, jobs=jobs, progress=progress))


class Results(list):
    """A list of runner Results that shows as a table in Jupyter and converts to JSON."""

    @property
    def ok(self):
        """True iff every verdict is the one its claim expects."""
        return all(r.ok for r in self)

    def to_json(self, indent=1):
        return json.dumps({"claims": [r.to_dict() for r in self]}, indent=indent, default=str)

    def _repr_html_(self):
        e = html.escape
        rows = "".join(
            "<tr><td><code>%s</code></td><td style='text-align:left'>%s</td>"
            "<td><b style='color:%s'>%s</b></td><td>%s</td><td style='text-align:left'>%s</td>"
            "<td>%.2f</td></tr>" % (e(r.claim.id), e(r.claim.title), COLOURS[r.verdict.status],
                                     e(r.verdict.status), "&#10003;" if r.ok else "&#10007; expected " + e(r.claim.expect),
                                     e(r.verdict.method), r.verdict.seconds) for r in self)
        head = "".join("<th>%s</th>" % h for h in ("claim", "title", "verdict", "as expected", "method", "s"))
        return "<table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>" % (head, rows)

    def __repr__(self):
        return "\n".join("%-24s %-12s %s" % (r.claim.id, r.verdict.status, "" if r.ok else
                                             "(expected %s)" % r.claim.expect) for r in self)
