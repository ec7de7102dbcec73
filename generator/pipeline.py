"""The stages wired together: load -> validate -> extract -> merge -> render -> write/check.

Also the warm-path short cut: when the manifest's input fingerprint (spec, older specs,
supplement, templates, generator code, black version, package name) and every generated
file's hash match, nothing is imported, rendered or written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from . import __version__

if TYPE_CHECKING:  # the warm path imports no stage module (and so no dataclasses)
    from .model import Catalogue, Diagnostic, SpecCatalogue, Supplement

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = Path("../shared/specs/x-api-v2-2.167.json")
DEFAULT_SUPPLEMENT = ROOT / "specs" / "supplement.yaml"
DEFAULT_OUT = Path("generated")
DEFAULT_PACKAGE = "x_problems"
MANIFEST = "_manifest.json"
#: black is part of the output's identity: same version, same mode, same bytes. Defined here
#: (``render`` re-exports it) so that the warm path's fingerprint needs no ``render`` import.
BLACK_VERSION = "26.10.1"


def errors_in(diags: Sequence[Diagnostic]) -> bool:
    """Whether any diagnostic is an error (warnings never stop generation)."""
    return any(d.level == "error" for d in diags)


def load_spec(path: Path, *, validate: bool = True) -> tuple[SpecCatalogue | None, list[Diagnostic]]:
    """Read, validate and extract one spec file.

    ``validate=False`` skips the openapi-pydantic model validation (its import alone costs
    ~0.3 s), for readers such as ``diff`` that need only the problem schemas, which extraction
    checks itself; the OpenAPI version check always runs.
    """
    from .extract import extract
    from .load import parse_bytes, read_bytes
    from .spec import check_version

    data, diags = read_bytes(path)
    if data is None:
        return None, diags
    sha256 = hashlib.sha256(data).hexdigest()
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
    return extract(doc, str(path), sha256)


def build_catalogue(spec: Path, *, also: Sequence[Path] = (), supplement: Path = DEFAULT_SUPPLEMENT, validate: bool = True) -> tuple[Catalogue | None, list[Diagnostic]]:
    """Load every input and merge; all diagnostics of all inputs are returned together.

    ``validate`` is passed to :func:`load_spec` for every spec.
    """
    from .merge import merge
    from .runtime_exports import BASE_EXPORTS, RESERVED_ATTRS, RUNTIME_EXPORTS

    diags: list[Diagnostic] = []
    current, found = load_spec(spec, validate=validate)
    diags += found
    olds: list[SpecCatalogue] = []
    for path in also:
        old, found = load_spec(path, validate=validate)
        diags += found
        if old is not None:
            olds.append(old)
    supp, found = _load_supplement(supplement)
    diags += found
    if current is None or supp is None or errors_in(diags):
        return None, diags
    reserved = frozenset(BASE_EXPORTS) | frozenset(RUNTIME_EXPORTS)
    olds.sort(key=lambda o: _version_key(o.version))
    catalogue, found = merge(current, olds, supp, reserved_attrs=RESERVED_ATTRS, reserved_names=reserved)
    return catalogue, diags + found


#: load_supplement results by (path as given, sha256 of its bytes): ``diff`` and
#: ``generate --changelog`` build two catalogues from one supplement in one process.
_SUPPLEMENTS: dict[tuple[str, str], tuple[Supplement | None, tuple[Diagnostic, ...]]] = {}


def _load_supplement(path: Path) -> tuple[Supplement | None, list[Diagnostic]]:
    from .supplement import load_supplement

    try:
        key = (str(path), _sha(path))
    except OSError:
        return load_supplement(path)
    if key not in _SUPPLEMENTS:
        supp, diags = load_supplement(path)
        _SUPPLEMENTS[key] = (supp, tuple(diags))
    supp, found = _SUPPLEMENTS[key]
    return supp, list(found)


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in version.split("."))


# --- fingerprint and manifest -------------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: Modules that cannot change what ``generate`` writes; every other module (new ones too)
#: is part of the fingerprint, so forgetting to list one errs on the safe side.
NOT_OUTPUT_MODULES = frozenset({"__main__.py", "cli.py", "diff.py", "diff_cli.py", "fetch.py", "changelog.py"})


def code_digest() -> str:
    """sha256 over the generator's sources and templates: a code change is an input change."""
    digest = hashlib.sha256()
    sources = [p for p in (ROOT / "generator").glob("*.py") if p.name not in NOT_OUTPUT_MODULES]
    for path in sorted([*sources, *(ROOT / "templates").glob("*.j2")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint(spec: Path, also: Sequence[Path], supplement: Path, package: str) -> dict[str, Any]:
    """What the output depends on, cheaply: file digests, no parsing."""
    return {
        "generator": __version__,
        "code_sha256": code_digest(),
        "black": BLACK_VERSION,
        "package": package,
        "spec_sha256": _sha(spec),
        "also_sha256": sorted(_sha(p) for p in also),
        "supplement_sha256": _sha(supplement),
    }


def manifest_text(cat: Catalogue, current: dict[str, Any], files: dict[str, str], spec: Path, also_files: Sequence[Path]) -> str:
    """The manifest: inputs (with versions and digests) and every generated file's sha256."""
    from .write import sha256_text

    data = {
        "schema": "xproblems-manifest/1",
        "generated_by": f"xproblems {__version__}; do not edit (make generate rewrites it)",
        "inputs": current,
        "spec": {"file": spec.name, "version": cat.spec_version, "problems_sha256": cat.problems_digest},
        "also": [{"file": p.name} for p in also_files],
        "also_versions": list(cat.also_versions),
        "files": {rel: sha256_text(text) for rel, text in sorted(files.items())},
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


class Request(NamedTuple):
    """One generate or check run (a NamedTuple: ``dataclasses`` costs the warm path ~10 ms)."""

    spec: Path
    also: tuple[Path, ...]
    supplement: Path
    out: Path
    package: str


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
    if manifest.get("inputs") != fingerprint(req.spec, req.also, req.supplement, req.package):
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
    current = fingerprint(req.spec, req.also, req.supplement, req.package)
    files[f"{req.package}/{MANIFEST}"] = manifest_text(cat, current, files, req.spec, req.also)
    return files


def render_all(req: Request) -> tuple[dict[str, str] | None, list[Diagnostic]]:
    """Build the catalogue and render every file, manifest included."""
    cat, diags = build_catalogue(req.spec, also=req.also, supplement=req.supplement)
    if cat is None:
        return None, diags
    return render_catalogue(cat, req), diags
