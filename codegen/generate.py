"""Turn a spec into {path: text} and write, or compare with, what is on disk.

Two zones: whole generated files (listed in the committed manifest, each starting with one
static header line) and generated spans inside hand-written files (between markers). A run
writes both and removes the whole files the spec no longer produces (files, never folders);
``--check`` writes nothing and names every file that differs, is missing or is an orphan.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import jinja2

from codegen import markers, naming
from codegen.spec import OperationInfo, Spec, load, snake_case

MANIFEST = "codegen/FILES"
TEMPLATES = Path(__file__).parent / "templates"
# The repository's [tool.ruff] line-length, fixed here so output does not depend on the machine.
LINE_LENGTH = 100


@dataclass(frozen=True)
class Options:
    root: Path  # where paths below are relative to (the repository root)
    spec: str  # the spec, relative to root (it is named, as written, in every header)
    package: str  # the import name of the generated package ("persona")
    readme: str | None = "README.md"
    docs: str | None = "docs"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - the output is Python and Markdown, not HTML
    )
    env.filters["snake"] = snake_case
    env.filters["pylit"] = python_literal
    env.filters["wrap"] = wrap
    env.filters["doc"] = naming.doc_text
    env.filters["md"] = naming.md_text
    env.filters["mdcode"] = naming.md_code
    return env


def python_literal(value: object) -> str:
    """A Python literal of a JSON value (every string escaped by :func:`naming.py_str`);
    a long string as parenthesized pieces so no line passes the limit."""
    if isinstance(value, str) and len(value) > 60:
        words = value.split(" ")
        pieces, line = [], ""
        for word in words:
            if line and len(line) + len(word) > 60:
                pieces.append(line)
                line = ""
            line += word + " "
        pieces.append(line[:-1])
        return "(" + " ".join(naming.py_str(piece) for piece in pieces) + ")"
    if isinstance(value, str):
        return naming.py_str(value)
    if isinstance(value, tuple):
        inside = ", ".join(python_literal(v) for v in value)
        return f"({inside},)" if len(value) == 1 else f"({inside})"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise ValueError(f"not a JSON value: {value!r}")  # the spec reader refuses these first


def wrap(text: str, width: int, indent: str) -> str:
    """Docstring text, wrapped; lines after the first get *indent*."""
    return textwrap.fill(text, width, subsequent_indent=indent, break_long_words=False)


def header(spec_path: str, comment: str = "#") -> str:
    return f"{comment} Generated from {spec_path} by `python -m codegen`; do not edit."


def _long_lines_allowed(text: str) -> str:
    """``text`` with a ``# ruff: noqa: E501`` line when spec text left a line past the
    limit (a word too long to wrap: a URL, say); otherwise as it is."""
    if all(len(line) <= LINE_LENGTH for line in text.splitlines()):
        return text
    head, _, rest = text.partition("\n")
    return f"{head}\n# ruff: noqa: E501 - spec text too long to wrap\n{rest}"


def ruff_format(text: str, name: str) -> str:
    """Format Python source the way `ruff format --check .` wants it, independent of cwd."""
    done = subprocess.run(  # noqa: S603 - a fixed command line of our dev tool
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--isolated",
            f"--line-length={LINE_LENGTH}",
            "--target-version=py39",
            "--stdin-filename",
            name,
            "-",
        ],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ruff format failed on generated {name}: {done.stderr.strip()}")
    return _long_lines_allowed(done.stdout)


def whole_files(spec: Spec, opts: Options) -> dict[str, str]:
    env = _env()
    pkg_dir = opts.package.replace(".", "/")
    out: dict[str, str] = {}
    context = {"spec": spec, "header": header(opts.spec), "package": opts.package}
    models_init = f"{pkg_dir}/models/__init__.py"
    # The model base is runtime, outside the folder the generator writes.
    base = "..core.model" if opts.package == "persona" else "persona.core.model"
    module_of = {m.name: m.module for m in spec.model_infos}
    out[models_init] = ruff_format(
        env.get_template("models_init.py.jinja").render(context, base=base, module_of=module_of),
        models_init,
    )
    for model in spec.model_infos:
        rel = f"{pkg_dir}/models/{model.module}.py"
        text = env.get_template("model.py.jinja").render(
            context, model=model, base=base, module_of=module_of
        )
        out[rel] = ruff_format(text, rel)
    inside = opts.package == "persona"
    api_init = f"{pkg_dir}/api/__init__.py"
    out[api_init] = ruff_format(env.get_template("api_init.py.jinja").render(context), api_init)
    for tag in spec.tags:
        rel = f"{pkg_dir}/api/{tag.module}.py"
        used = sorted({m for op in tag.operations for m in op.models})
        expressions = [
            e
            for op in tag.operations
            for e in (
                op.body_kind,
                op.success_kind,
                op.default_kind,
                *(m for _, m in op.responses),
                *(p.kind + " " + p.annotation for p in op.params),
                op.body_schema or "",
                op.success_schema or "",
            )
        ]
        words = {w for e in expressions for w in re.findall(r"\w+", e)}
        operation_names = ["Operation"]
        if "Body" in words:
            operation_names.insert(0, "Body")
        if any(not m for op in tag.operations for _, m in op.responses) or any(
            op.default_kind == "NO_BODY" for op in tag.operations
        ):
            operation_names.insert(0, "NO_BODY")
        if any(op.params for op in tag.operations):
            operation_names.append("Parameter")
        text = env.get_template("api.py.jinja").render(
            context,
            tag=tag,
            tag_models=used,
            operation_names=operation_names,
            option_types=sorted(
                {"CallOptions" if op.keyed else "SafeCallOptions" for op in tag.operations}
            ),
            kind_names=sorted(words & {"ListOf", "MapOf"}),
            module_of=module_of,
            date_names=sorted(words & {"date", "datetime"}),
            runtime=".." if inside else "persona.",
            models_module="..models",
            exception_for=_exception_name,
        )
        out[rel] = ruff_format(text, rel)
    return out


def _exception_name(status: int) -> str:
    """The exception a declared error status becomes (persona.exceptions decides)."""
    from persona.exceptions import exception_for_status

    return exception_for_status(status).__name__


def spans(spec: Spec, opts: Options) -> dict[str, dict[str, str]]:
    """{file: {span name: body}} for the generated parts of hand-written pages."""
    env = _env()
    context = {"spec": spec, "docs": opts.docs}
    out: dict[str, dict[str, str]] = {}
    if opts.readme:
        out[opts.readme] = {
            "endpoints": env.get_template("readme_endpoints.md.jinja").render(context),
            "models": env.get_template("readme_models.md.jinja").render(context),
        }
    pkg_dir = opts.package.replace(".", "/")
    init = f"{pkg_dir}/__init__.py"
    names = env.get_template("public_names.py.jinja").render(context)
    out[init] = {"public-names": ruff_format(names, init)}
    if opts.docs:
        for model in spec.model_infos:
            out[f"{opts.docs}/{model.name}.md"] = {
                "properties": env.get_template("model_properties.md.jinja").render(model=model)
            }
        for tag in spec.tags:
            page = out[f"{opts.docs}/{tag.class_name}.md"] = {
                "methods": env.get_template("api_methods.md.jinja").render(tag=tag, spec=spec)
            }
            for op in tag.operations:
                page[f"signature-{op.operation_id}"] = env.get_template(
                    "api_signature.md.jinja"
                ).render(op=op)
                page[f"reference-{op.operation_id}"] = env.get_template(
                    "api_reference.md.jinja"
                ).render(op=op)
    return out


def _missing_sections(spec: Spec, opts: Options, rel: str, text: str) -> str:
    """The sections a tag's page lacks for operations the spec newly has, to append at
    its end (a new section never replaces prose; an operation's span half there is an
    error, raised when the span is filled)."""
    added = []
    for tag in spec.tags:
        if rel != f"{opts.docs}/{tag.class_name}.md":
            continue
        for op in tag.operations:
            names = (f"signature-{op.operation_id}", f"reference-{op.operation_id}")
            if any(f"codegen:begin {n} " in text or f"codegen:end {n} " in text for n in names):
                continue
            spans = [f"{markers.begin(n, rel)}\n{markers.end(n, rel)}" for n in names]
            call = _env().get_template("api_signature.md.jinja").render(op=op)
            args = call[call.index("(") :].strip()
            added.append(
                f"\n# **{op.operation_id}**\n{spans[0]}\n\n{naming.md_text(op.summary)}\n\n"
                + _example(op, tag.class_name, opts.package)
                + _errors_table(op)
                + f"{spans[1]}\n"
                f"\n### With HTTP info\n> ApiResponse {op.operation_id}_with_http_info{args}\n\n"
                "The same call. It returns `ApiResponse(data, status, headers)`.\n"
            )
    return "".join(added)


def _example(op: OperationInfo, api_class: str, package: str) -> str:
    """A new operation's example, from the spec's ``example`` values (a value the spec
    gives none for is a placeholder of its type). Not run by the docs' tests: it needs a
    server that implements the operation."""
    placeholders = {"int": "1", "float": "1.0", "bool": "True", "str": '"text"'}
    lines = [
        "### Example",
        "",
        "<!-- not-run: generated from the spec's examples; it needs a server that implements"
        f" {op.operation_id} -->",
        "```python",
        f"from {package} import {api_class}",
    ]
    if op.body_model and op.body_schema == op.body_model:
        lines.append(f"from {package}.models import {op.body_model}")
    lines += ["", f"api = {api_class}()"]
    args = []
    for p in op.params:
        value = (
            python_literal(p.example)
            if p.example is not None
            else placeholders.get(p.annotation, "...")
        )
        args.append(value if p.location == "path" else f"{p.attr}={value}")
    if op.body_schema:
        example = python_literal(op.body_example) if op.body_example is not None else "{}"
        if op.body_schema == "bytes":
            body = 'b"..."'
        elif op.body_model and op.body_schema == op.body_model:
            body = f"{op.body_model}.from_dict({example})"
        else:
            body = example
        args.insert(len(op.path_params), body)
    call = f"api.{op.operation_id}({', '.join(args)})"
    code = [*lines[4:], f"answer = {call}" if op.success_schema else call]
    if op.success_schema:
        code.append("print(answer)")
    formatted = ruff_format("\n".join(code) + "\n", "example.py").rstrip("\n")
    formatted = "\n".join(x for x in formatted.split("\n") if not x.startswith("# ruff: noqa"))
    lines = [*lines[:4], formatted, "```", ""]
    if op.success_example is not None:
        lines += ["An answer, as the spec's example shows it:", "", "```json"]
        lines += [json.dumps(op.success_example, indent=2, ensure_ascii=False), "```", ""]
    return "\n".join(lines) + "\n"


def _model_example(spec: Spec, name: str) -> str:
    """A new model page's example: the schema's ``example``, else its properties'."""
    model = next((m for m in spec.model_infos if m.name == name), None)
    if model is None:
        return ""
    example = model.example
    if example is None:
        example = {f.json_name: f.example for f in model.fields if f.example is not None}
    if not example:
        return ""
    text = json.dumps(example, indent=2, ensure_ascii=False)
    return (
        f"\n## Example\n\n```json\n{text}\n```\n\n"
        f"`{name}.from_dict(...)` of it gives the model; `to_dict()` gives it back.\n"
    )


def _errors_table(op: OperationInfo) -> str:
    """A new operation's errors table: each declared error status, the exception it
    raises and what the spec says it means."""
    rows = [
        f"{status} | `{_exception_name(status)}` | {naming.md_text(meaning)}"
        for status, meaning in op.errors
    ]
    if op.default_kind:
        rows.append(
            "any other | `ApiException` (the subclass of its status) | "
            + naming.md_text(op.default_description)
        )
    if not rows:
        return ""
    head = ["### Errors", "", "Status | Raises | When", "------ | ------ | ----"]
    return "\n".join([*head, *rows, "", ""])


def _orphan_sections(spec: Spec, opts: Options, rel: str, text: str) -> tuple[str, list[str]]:
    """``text`` without the sections of operations the spec no longer has (a section:
    from its ``# **name**`` heading to the next one, holding the operation's spans), and
    the names of those it could not remove (spans moved elsewhere: named by --check)."""
    ops = {op.operation_id for tag in spec.tags for op in tag.operations}
    stuck = []
    for name in re.findall(r"codegen:begin signature-(\S+)", text):
        if name in ops:
            continue
        heading = f"\n# **{name}**\n"
        start = text.find(heading)
        end = text.find("\n# **", start + len(heading)) if start >= 0 else -1
        end = len(text) if end < 0 else end + 1
        section = text[start:end] if start >= 0 else ""
        spans_inside = all(
            f"codegen:{edge} {kind}-{name} " in section
            for edge in ("begin", "end")
            for kind in ("signature", "reference")
        )
        if start >= 0 and spans_inside:
            text = (
                text[:start] + "\n" + text[end:].lstrip("\n")
                if end < len(text)
                else text[:start] + "\n"
            )
        else:
            stuck.append(name)
    return text, stuck


def _read_manifest(root: Path) -> list[str]:
    path = root / MANIFEST
    if not path.exists():
        return []
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def read(opts: Options) -> Spec:
    """The spec, read (its report in ``Spec.reports``)."""
    return load(opts.root / opts.spec, opts.spec)


def expected(opts: Options, spec: Spec | None = None) -> tuple[dict[str, str], list[str]]:
    """Every file the spec produces, with its full text; and the orphans on disk."""
    if spec is None:
        spec = read(opts)
    files = whole_files(spec, opts)
    manifest = "\n".join([header(opts.spec), *sorted(files)]) + "\n"
    out = dict(files)
    out[MANIFEST] = manifest
    for rel, parts in spans(spec, opts).items():
        path = opts.root / rel
        if path.exists():
            text = path.read_text(encoding="utf-8")
        else:
            # A page the spec newly needs (a new model or tag) starts as a title and its
            # spans; from then on it is hand-written around them.
            title = Path(rel).stem
            empty = [
                f"{markers.begin(n, rel)}\n{markers.end(n, rel)}\n"
                for n in sorted(parts)
                if not n.startswith(("signature-", "reference-"))
            ]
            text = f"# {title}\n\n" + "\n".join(empty) + _model_example(spec, title)
        if opts.docs:
            text += _missing_sections(spec, opts, rel, text)
            text, stuck = _orphan_sections(spec, opts, rel, text)
            for name in stuck:
                raise markers.MarkerError(
                    f"{rel}: the spans of {name}, an operation the spec no longer has, are "
                    "outside its `# **name**` section: delete them by hand"
                )
        for name, body in parts.items():
            text = markers.replace_span(text, name, body, rel)
        out[rel] = text
    orphans = sorted(
        rel for rel in _read_manifest(opts.root) if rel not in files and (opts.root / rel).is_file()
    )
    if opts.docs and (opts.root / opts.docs).is_dir():
        # A model page the spec no longer needs: generated once, then written around its
        # span; it goes with its model (and --check names it).
        for page in sorted((opts.root / opts.docs).glob("*.md")):
            rel = f"{opts.docs}/{page.name}"
            if rel in out:
                continue
            text = page.read_text(encoding="utf-8")
            if markers.begin("properties", rel) in text or re.search(
                r"codegen:begin signature-", text
            ):
                orphans.append(rel)
    return out, orphans


def check(opts: Options, spec: Spec | None = None) -> list[str]:
    """One line per file that `python -m codegen` would change; empty when all agree."""
    out, orphans = expected(opts, spec)
    problems = []
    for rel, text in sorted(out.items()):
        path = opts.root / rel
        if not path.exists():
            problems.append(f"{rel}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{rel}: differs from the spec")
    problems.extend(f"{rel}: orphan (the spec no longer produces it)" for rel in orphans)
    return problems


def write(opts: Options, spec: Spec | None = None) -> list[str]:
    """Write what differs, remove orphans; return one line per file changed."""
    out, orphans = expected(opts, spec)
    changed = []
    for rel, text in sorted(out.items()):
        path = opts.root / rel
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        changed.append(f"{rel}: written")
    for rel in orphans:
        (opts.root / rel).unlink()
        changed.append(f"{rel}: removed (orphan)")
    return changed
