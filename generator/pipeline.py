"""The stages wired together: request -> load -> validate -> extract -> merge -> render -> write.

:func:`generate` and :func:`check` are the two entry points; ``cli`` maps their
:class:`Result` to exit codes. Both first take the warm-path short cut (``fingerprint``):
when nothing changed, no stage module is imported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from . import __version__
from .fingerprint import MANIFEST, fingerprint, is_fresh
from .history import History, sha256_file, version_key
from .request import Request, error

if TYPE_CHECKING:  # the warm path imports no stage module (and so no dataclasses)
    from .model import Catalogue, Diagnostic, SpecCatalogue, Supplement

def errors_in(diags: Sequence[Diagnostic]) -> bool:
    """Whether any diagnostic is an error (warnings never stop generation)."""
    return any(d.level == "error" for d in diags)


class SpecDocument(NamedTuple):
    """A spec file read and checked: its plain JSON tree, digest and size."""

    doc: dict[str, Any]
    sha256: str
    size: int


def read_spec(path: Path, *, validate: bool = True) -> tuple[SpecDocument | None, list[Diagnostic]]:
    """Read, parse and check one spec file (OpenAPI version; openapi-pydantic unless told not to).

    ``validate=False`` skips the openapi-pydantic model validation (its import alone costs
    ~0.3 s), for inputs that need only the problem schemas, which extraction checks itself:
    ``diff``, and the pinned history (validated when it was pinned, then held to its digest).
    """
    from .load import parse_bytes, read_bytes
    from .spec import check_version

    data, diags = read_bytes(path)
    if data is None:
        return None, diags
    sha256, size = hashlib.sha256(data).hexdigest(), len(data)
    doc, diags = parse_bytes(data, str(path), yaml_syntax=path.suffix.lower() in (".yaml", ".yml"))
    del data  # the bytes are not needed past parsing: keep them out of the validation peak
    if doc is None:
        return None, diags
    diags = check_version(doc, str(path))
    if not diags and validate:
        from .spec import validate as validate_openapi

        diags = validate_openapi(doc, str(path))
    if diags:
        return None, diags
    return SpecDocument(doc, sha256, size), []


def load_spec(path: Path, *, validate: bool = True) -> tuple[SpecCatalogue | None, list[Diagnostic]]:
    """Read, check and extract one spec file (see :func:`read_spec`)."""
    from .extract import extract

    read, diags = read_spec(path, validate=validate)
    if read is None:
        return None, diags
    return extract(read.doc, str(path), read.sha256)


def build_catalogue(
    spec: Path,
    *,
    history: History | None = None,
    also: Sequence[Path] = (),
    supplement: Path | None = None,
    validate: bool = True,
) -> tuple[Catalogue | None, list[Diagnostic]]:
    """Load every input and merge; all diagnostics of all inputs are returned together.

    ``history`` contributes its pins older than the spec's version; ``also`` specs are
    merged whatever their version. ``validate`` applies to ``spec`` and ``also``.
    """
    current, diags = load_spec(spec, validate=validate)
    return catalogue_for(current, history=history, also=also, supplement=supplement, validate=validate, diags=diags)


def catalogue_for(
    current: SpecCatalogue | None,
    *,
    history: History | None = None,
    also: Sequence[Path] = (),
    supplement: Path | None = None,
    validate: bool = True,
    diags: Sequence[Diagnostic] = (),
) -> tuple[Catalogue | None, list[Diagnostic]]:
    """Merge an extracted spec with its history, ``also`` specs and the supplement."""
    from .merge import merge
    from .resources import default_supplement
    from .runtime_source import RESERVED_ATTRS, RESERVED_NAMES

    found_diags = list(diags)
    pinned = history.older_than(current.version) if history is not None and current is not None else ()
    inputs = [(history.path(p), False, 0) for p in pinned] if history is not None else []
    inputs += [(path, validate, 1) for path in also]
    olds: list[tuple[int, SpecCatalogue]] = []
    for path, check, rank in inputs:
        old, found = load_spec(path, validate=check)
        found_diags += found
        if old is not None:
            olds.append((rank, old))
    supp, found = load_supplement_cached(supplement or default_supplement())
    found_diags += found
    if current is None or supp is None or errors_in(found_diags):
        return None, found_diags
    ordered = _oldest_first(olds)
    catalogue, merged = merge(current, ordered, supp, reserved_attrs=RESERVED_ATTRS, reserved_names=RESERVED_NAMES)
    return catalogue, found_diags + _shadowed(ordered) + merged


def _oldest_first(olds: Sequence[tuple[int, SpecCatalogue]]) -> list[SpecCatalogue]:
    """Older specs by version; of one version, a pinned copy (rank 0) before ``--also`` specs
    (rank 1), then by digest. ``merge`` takes a version's first spec only, so nothing may
    depend on the order of ``--also`` on the command line: the fingerprint does not (it
    sorts their digests), and neither may the output it vouches for."""
    return [old for _, old in sorted(olds, key=lambda ro: (version_key(ro[1].version), ro[0], ro[1].sha256))]


def _shadowed(ordered: Sequence[SpecCatalogue]) -> list[Diagnostic]:
    """Warnings for older specs that ``merge`` ignores: the version of one before them, with
    other problem schemas (a pinned copy and the full spec it was pruned from agree)."""
    from .model import Diagnostic
    from .pointer import cut

    first: dict[str, SpecCatalogue] = {}
    out = []
    for spec in ordered:
        kept = first.setdefault(spec.version, spec)
        if kept.problems_digest != spec.problems_digest:
            message = f"version {cut(spec.version)} is also that of {kept.file}, whose problem schemas differ and which is used instead"
            out.append(Diagnostic("warning", spec.file, "/info/version", message))
    return out


#: load_supplement results by (path as given, sha256 of its bytes): ``diff`` and ``pin``
#: build two catalogues from one supplement in one process.
_SUPPLEMENTS: dict[tuple[str, str], tuple[Supplement | None, tuple[Diagnostic, ...]]] = {}


def load_supplement_cached(path: Path) -> tuple[Supplement | None, list[Diagnostic]]:
    """``supplement.load_supplement``, once per path and content in a process."""
    from .supplement import load_supplement

    try:
        key = (str(path), sha256_file(path))
    except OSError:
        return load_supplement(path)
    if key not in _SUPPLEMENTS:
        supp, diags = load_supplement(path)
        _SUPPLEMENTS[key] = (supp, tuple(diags))
    supp, found = _SUPPLEMENTS[key]
    return supp, list(found)


def manifest_text(cat: Catalogue, req: Request, files: dict[str, str]) -> str:
    """The manifest: inputs (with versions and digests) and every generated file's sha256."""
    from .write import sha256_text

    pinned = req.history.older_than(cat.spec_version) if req.history is not None else ()
    data = {
        "schema": "xproblems-manifest/2",
        "generated_by": f"xproblems {__version__}; do not edit (make generate rewrites it)",
        "inputs": fingerprint(req),
        "spec": {"file": req.spec.name, "version": cat.spec_version, "problems_sha256": cat.problems_digest},
        "history": [{"file": p.file, "version": p.version} for p in pinned],
        "also": [{"file": name} for name in sorted(p.name for p in req.also)],
        "also_versions": list(cat.also_versions),
        "files": {rel: sha256_text(text) for rel, text in sorted(files.items())},
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def render_catalogue(cat: Catalogue, req: Request) -> dict[str, str]:
    """Render every file of ``cat``, manifest included (written last by ``publish``)."""
    from .render import render

    files = render(cat, req.package)
    files[f"{req.package}/{MANIFEST}"] = manifest_text(cat, req, files)
    return files


def render_request(req: Request) -> tuple[dict[str, str] | None, list[Diagnostic]]:
    """Build the run's catalogue and render every file, manifest included.

    A pinned spec is not validated again: it was validated when it was pinned, and
    ``make_request`` held it to its digest. Any other spec is validated.
    """
    pinned = req.history is not None and req.history.holding(req.spec) is not None
    current, found = load_spec(req.spec, validate=not pinned)
    # --also specs are never pinned: they are always validated.
    cat, diags = catalogue_for(current, history=req.history, also=req.also, supplement=req.supplement, validate=True, diags=found)
    if cat is None or errors_in(diags):
        return None, diags
    return render_catalogue(cat, req), diags


class Result(NamedTuple):
    """What a ``generate`` or ``check`` run found; ``cli`` maps it to an exit code.

    ``ok`` is False for bad input (``diagnostics`` say why). ``changed`` names the files
    ``generate`` wrote; ``diffs`` holds ``check``'s unified diffs, one per differing file.
    ``fresh`` is True when the warm path found nothing to do.
    """

    ok: bool
    diagnostics: list[Diagnostic]
    fresh: bool = False
    changed: tuple[str, ...] = ()
    diffs: tuple[str, ...] = ()


def generate(req: Request) -> Result:
    """Render and publish ``req``'s output, or do nothing when the manifest says it is fresh.

    What a killed run left behind (a half-done swap, staging directories) is dealt with
    first, even when the output is otherwise fresh.
    """
    from .swap import leftovers

    if not leftovers(req.out) and is_fresh(req):
        return Result(True, [], fresh=True)
    from .lock import locked
    from .write import check_paths, publish

    files, diags = render_request(req)
    if files is None:
        return Result(False, diags)
    history = [req.history.path(p) for p in req.history.pins] if req.history is not None else []
    problems = check_paths(req.out, list(files), [req.spec, *req.also, req.supplement, *history])
    if problems:
        return Result(False, diags + problems)
    try:
        with locked(req.out):
            changed = publish(req.out, files, f"{req.package}/{MANIFEST}")
    except OSError as exc:
        return Result(False, [*diags, _environment_error(req.out, exc)])
    return Result(True, diags, changed=tuple(changed))


def check(req: Request) -> Result:
    """Compare ``req``'s output on disk with what :func:`generate` would write.

    It writes nothing of the output; it only finishes a swap a killed run left half done
    (and removes its staging directories), so that it compares what an importer sees.
    """
    from .swap import leftovers

    if leftovers(req.out):
        problem = _recover(req.out)
        if problem is not None:
            return Result(False, [problem])
    if is_fresh(req):
        return Result(True, [], fresh=True)
    from .write import compare

    files, diags = render_request(req)
    if files is None:
        return Result(False, diags)
    return Result(True, diags, diffs=tuple(compare(req.out, files, f"{req.package}/{MANIFEST}")))


def _recover(out: Path) -> Diagnostic | None:
    """Finish what a killed run left in ``out``, unless a live run holds the lock."""
    from .lock import locked
    from .swap import recover

    try:
        with locked(out):
            recover(out)
    except BlockingIOError:
        return None  # that run is publishing; its staging entries are not leftovers
    except OSError as exc:
        return _environment_error(out, exc)
    return None


def _environment_error(out: Path, exc: OSError) -> Diagnostic:
    """The user's environment (disk full, read-only, a directory in the way, a held lock), not a bug."""
    if isinstance(exc, BlockingIOError):
        return error(str(out), str(exc))
    where = exc.filename if isinstance(exc.filename, str) else str(out)
    return error(where, f"cannot write: {exc.strerror or exc}")
