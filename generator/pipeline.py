"""The stages wired together: load -> validate -> extract -> merge -> render; write/check in ``cli``.

Also the warm-path short cut: when the manifest's input fingerprint (spec, pinned history,
older specs, supplement, templates, generator code, black version, package name) and every
generated file's hash match, nothing is imported, rendered or written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from . import __version__
from .history import History, sha256_file, version_key
from .resources import code_dir, templates_dir

if TYPE_CHECKING:  # the warm path imports no stage module (and so no dataclasses)
    from .model import Catalogue, Diagnostic, SpecCatalogue, Supplement

DEFAULT_PACKAGE = "x_problems"
MANIFEST = "_manifest.json"
#: black is part of the output's identity: same version, same mode, same bytes. Defined here
#: (``render`` re-exports it) so that the warm path's fingerprint needs no ``render`` import.
BLACK_VERSION = "26.10.1"


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
    from .runtime_exports import RESERVED_ATTRS, RESERVED_NAMES

    found_diags = list(diags)
    pinned = history.older_than(current.version) if history is not None and current is not None else ()
    inputs = [(history.path(p), False) for p in pinned] if history is not None else []
    inputs += [(path, validate) for path in also]
    olds: list[SpecCatalogue] = []
    for path, check in inputs:
        old, found = load_spec(path, validate=check)
        found_diags += found
        if old is not None:
            olds.append(old)
    supp, found = _load_supplement(supplement or default_supplement())
    found_diags += found
    if current is None or supp is None or errors_in(found_diags):
        return None, found_diags
    olds.sort(key=lambda o: version_key(o.version))
    catalogue, merged = merge(current, olds, supp, reserved_attrs=RESERVED_ATTRS, reserved_names=RESERVED_NAMES)
    return catalogue, found_diags + merged


#: load_supplement results by (path as given, sha256 of its bytes): ``diff`` and ``pin``
#: build two catalogues from one supplement in one process.
_SUPPLEMENTS: dict[tuple[str, str], tuple[Supplement | None, tuple[Diagnostic, ...]]] = {}


def _load_supplement(path: Path) -> tuple[Supplement | None, list[Diagnostic]]:
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


# --- fingerprint and manifest -------------------------------------------------------------


#: Modules that cannot change what ``generate`` writes; every other module (new ones too)
#: is part of the fingerprint, so forgetting to list one errs on the safe side.
NOT_OUTPUT_MODULES = frozenset({"__main__.py", "cli.py", "diff.py", "diff_cli.py", "fetch.py", "changelog.py", "pin.py"})


def code_digest() -> str:
    """sha256 over the generator's sources and templates: a code change is an input change."""
    digest = hashlib.sha256()
    sources = [p for p in code_dir().glob("*.py") if p.name not in NOT_OUTPUT_MODULES]
    for path in sorted([*sources, *templates_dir().glob("*.j2")], key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class Request(NamedTuple):
    """One generate or check run (a NamedTuple: ``dataclasses`` costs the warm path ~10 ms).

    ``history`` is the pinned history (None: the spec alone); its pins older than the spec's
    version are merged. ``also`` specs are merged whatever their version.
    """

    spec: Path
    history: History | None
    also: tuple[Path, ...]
    supplement: Path
    out: Path
    package: str


def make_request(
    *,
    spec: Path | None,
    also: Sequence[Path],
    supplement: Path | None,
    out: Path | None,
    package: str,
    pins: Path | None,
    no_history: bool,
) -> Request | list[Diagnostic]:
    """A run's inputs with every default filled in from the pinned history, or why not.

    Defaults come from the package (the shipped ``specs/``: pins.json, the supplement) and,
    for ``out``, from the checkout the generator runs from; never from the current directory.
    A pinned file that is missing or does not match its digest is an error naming it.
    """
    from .history import load_history, verify
    from .resources import checkout_root, default_supplement, specs_dir

    history: History | None = None
    if spec is None or not no_history:
        history, diags = load_history(pins or specs_dir())
        if history is None:
            return diags
        diags = verify(history)
        if diags:
            return diags
    if spec is None:
        assert history is not None
        spec = history.path(history.current)
    if no_history:
        history = None
    if out is None:
        root = checkout_root()
        if root is None:
            return [_error("<command line>", "--out is required: this xproblems is installed, not run from its checkout")]
        out = root / "generated"
    supplement = supplement or default_supplement()
    missing = [_error(str(p), "no such file") for p in (spec, *also, supplement) if not p.is_file()]
    return missing or Request(spec, history, tuple(also), supplement, out, package)


def _error(file: str, message: str) -> Diagnostic:
    from .model import Diagnostic  # lazy: errors are off the warm path

    return Diagnostic("error", file, "", message)


def _history_inputs(req: Request) -> list[str]:
    """Digests of the pinned files a run may read (checked against pins.json by the caller)."""
    if req.history is None:
        return []
    spec = req.spec.resolve()
    return sorted(p.sha256 for p in req.history.pins if req.history.path(p).resolve() != spec)


def fingerprint(req: Request) -> dict[str, Any]:
    """What the output depends on, cheaply: file digests, no parsing."""
    return {
        "generator": __version__,
        "code_sha256": code_digest(),
        "black": BLACK_VERSION,
        "package": req.package,
        "spec_sha256": sha256_file(req.spec),
        "history_sha256": _history_inputs(req),
        "also_sha256": sorted(sha256_file(p) for p in req.also),
        "supplement_sha256": sha256_file(req.supplement),
    }


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


def is_fresh(req: Request) -> bool:
    """True when the manifest matches the inputs and every file: nothing to do.

    Reads the manifest as ``write.read_manifest`` does, without importing ``write``.
    """
    path = req.out / req.package / MANIFEST
    try:
        manifest = None if path.is_symlink() else json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or not manifest:
        return False
    if manifest.get("inputs") != fingerprint(req):
        return False
    files = manifest.get("files")
    if not isinstance(files, dict):
        return False
    for rel, digest in files.items():
        path = req.out / str(rel)
        try:
            if path.is_symlink() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


def render_catalogue(cat: Catalogue, req: Request) -> dict[str, str]:
    """Render every file of ``cat``, manifest included (written last by ``publish``)."""
    from .render import render

    files = render(cat, req.package)
    files[f"{req.package}/{MANIFEST}"] = manifest_text(cat, req, files)
    return files


def render_all(req: Request) -> tuple[dict[str, str] | None, list[Diagnostic]]:
    """Build the catalogue and render every file, manifest included."""
    cat, diags = build_catalogue(req.spec, history=req.history, also=req.also, supplement=req.supplement)
    if cat is None:
        return None, diags
    return render_catalogue(cat, req), diags
