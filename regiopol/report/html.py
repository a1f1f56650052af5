"""German HTML reports without code, and the index page of a run.

:func:`render_report` turns an executed module notebook into a self-contained German page
with nbconvert's ``HTMLExporter`` (in-process) and the template ``regiopol`` shipped in
``templates/regiopol``: no code cells, no prompts, a title "<Modul> – <Region>", a table of
contents from the Markdown headings and a footer with the run date and the data vintage.
The page makes no external request: the template drops require.js, MathJax, Mermaid and
widget scripts, CSS is inlined, images are embedded, and :func:`strip_external` removes any
``src``/``<link href>`` to ``http(s)://`` that an output might still contain.

Rendering is deterministic apart from the run date: cell ids are renumbered (papermill gives
the injected parameters cell a random id) and nothing else depends on time or chance.

:func:`render_index` fills the Jinja2 template ``templates/index/index.html.j2`` (autoescaped).
nbconvert and Jinja2 are imported inside the functions, so ``import regiopol.report.html`` stays cheap.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from regiopol.core.cache import memo
from regiopol.core.errors import RegiopolError
from regiopol.core.files import write_text_atomic

__all__ = ["TEMPLATES_DIR", "TEMPLATE_NAME", "INDEX_TEMPLATE", "MAX_REPORT_BYTES", "STATUS_LABELS",
           "render_report", "export_report", "strip_external", "external_references", "render_index"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "regiopol"  # the nbconvert template of the reports
INDEX_TEMPLATE = "index/index.html.j2"
MAX_REPORT_BYTES = 2 * 1024 * 1024  # a report page should stay below 2 MB

STATUS_LABELS = {
    "ok": "erfolgreich",
    "failed": "fehlgeschlagen",
    "skipped": "erfolgreich (unverändert)",
    "pending": "nicht gelaufen",
}

_CSS = """
body.jp-Notebook { max-width: 62rem; margin: 0 auto; padding: 0 1rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.rp-header { border-bottom: 1px solid #ccc; margin: 1rem 0; padding-bottom: .5rem; }
.rp-header p { margin: .2rem 0; }
.rp-title { font-size: 1.1rem; font-weight: 600; }
.rp-back a, .rp-toc a { text-decoration: none; }
.rp-toc { background: #f6f6f6; border: 1px solid #ddd; padding: .5rem 1rem; margin: 1rem 0; }
.rp-toc p { font-weight: 600; margin: .2rem 0; }
.rp-toc ol { margin: 0; padding-left: 1.2rem; }
.rp-toc .rp-l2 { margin-left: 1rem; } .rp-toc .rp-l3 { margin-left: 2rem; } .rp-toc .rp-l4 { margin-left: 3rem; }
.rp-footer { border-top: 1px solid #ccc; margin: 2rem 0 1rem; padding-top: .5rem; font-size: .85rem; color: #444; }
"""

_HEADING = re.compile(r'<h([1-4])\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")
_EXTERNAL_SCRIPT = re.compile(r'<script\b[^>]*\bsrc\s*=\s*["\']?(?:https?:)?//[^>]*>\s*</script>', re.I | re.S)
_EXTERNAL_LINK = re.compile(r'<link\b[^>]*\bhref\s*=\s*["\']?(?:https?:)?//[^>]*>', re.I | re.S)
_EXTERNAL_SRC = re.compile(r'\b(src|srcset|poster)\s*=\s*(["\'])\s*(?:https?:)?//[^"\']*\2', re.I)
_EXTERNAL_IMPORT = re.compile(r'@import\s+url\(\s*["\']?(?:https?:)?//[^)]*\)\s*;?', re.I)
_STYLE_BLOCK = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.I | re.S)
_CSS_COMMENT_WITH_URL = re.compile(r"/\*(?:(?!\*/).)*?https?://(?:(?!\*/).)*\*/", re.S)
_EXTERNAL_ATTR = re.compile(r'\b(?:src|srcset|href|poster)\s*=\s*["\']?\s*((?:https?:)?//[^"\'\s>]*)', re.I)
_EXTERNAL_CSS_URL = re.compile(r'url\(\s*(["\']?)\s*((?:https?:)?//[^)"\']*)\1\s*\)', re.I)


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("regiopol")
    except metadata.PackageNotFoundError:  # pragma: no cover - source checkout without install
        return "unbekannt"


def render_report(nb, *, title: str, run_date: str, data_vintage: str) -> str:
    """The German HTML page (a string) of an executed notebook (an ``nbformat`` node or a path)."""
    import nbformat
    from nbconvert import HTMLExporter

    if isinstance(nb, (str, Path)):
        nb = nbformat.read(str(nb), as_version=4)
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):  # deterministic ids (papermill's injected cell is random)
        if "id" in cell:
            cell["id"] = f"zelle-{index}"
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        mathjax_url="",
        require_js_url="",
        language_code="de",
        anchor_link_text="¶",
    )
    resources = {
        "metadata": {"name": title},
        "regiopol": {
            "title": title,
            "run_date": run_date,
            "data_vintage": data_vintage,
            "version": _version(),
            "css": _CSS,
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = body.replace("<!--regiopol-toc-->", _toc(body), 1)
    body = body.replace('alt="No description has been provided for this image"', 'alt="Abbildung"')
    return strip_external(body)


def export_report(executed: str | Path, html_path: str | Path, *, title: str, run_date: str,
                  data_vintage: str) -> Path:
    """Render the executed notebook at ``executed`` and write the page atomically to ``html_path``."""
    page = render_report(executed, title=title, run_date=run_date, data_vintage=data_vintage)
    size = len(page.encode("utf-8"))
    if size > MAX_REPORT_BYTES:  # the previous report, if any, stays in place
        raise RegiopolError(
            f"report is {size / 1024**2:.1f} MB, more than the limit of {MAX_REPORT_BYTES / 1024**2:.0f} MB",
            file=Path(html_path).name, fix="save dense figures as PNG at a lower resolution or show fewer figures")
    return write_text_atomic(html_path, page)


def _toc(page: str) -> str:
    """A table of contents (German) from the headings of the page's main part."""
    start = page.find("<main>")
    items = []
    for level, anchor, inner in _HEADING.findall(page[start if start >= 0 else 0:]):
        text = html.unescape(_TAG.sub("", inner)).replace("¶", "").strip()
        if text:
            items.append(f'<li class="rp-l{level}"><a href="#{anchor}">{html.escape(text)}</a></li>')
    if not items:
        return ""
    return ('<nav class="rp-toc" aria-label="Inhalt">\n<p>Inhalt</p>\n<ol>\n'
            + "\n".join(items) + "\n</ol>\n</nav>")


def strip_external(page: str) -> str:
    """Remove everything that would make the browser fetch from another host: external
    scripts, stylesheets, ``@import`` rules, CSS ``url(…)`` and ``src`` attributes pointing to ``http(s)://``
    (and CSS comments quoting URLs, so that a plain search for "http" finds only real links).
    Plain links (``<a href>``) stay: they are requests only when a reader clicks them."""
    page = _EXTERNAL_SCRIPT.sub("", page)
    page = _EXTERNAL_LINK.sub("", page)
    page = _EXTERNAL_IMPORT.sub("", page)
    page = _STYLE_BLOCK.sub(lambda m: m.group(1) + _CSS_COMMENT_WITH_URL.sub("", m.group(2)) + m.group(3), page)
    page = _EXTERNAL_CSS_URL.sub("none", page)  # background:url(https://…) in style blocks and attributes
    return _EXTERNAL_SRC.sub(r'data-removed-\1=""', page)


def external_references(page: str, *, include_links: bool = False) -> list[str]:
    """URLs to other hosts in ``src``/``srcset``/``href``/``poster`` attributes and CSS ``url(…)`` (``<a href>`` only with
    ``include_links``): what a check for a self-contained page looks for."""
    found = []
    for match in _EXTERNAL_ATTR.finditer(page):
        if not include_links:
            tag_start = page.rfind("<", 0, match.start())
            if page[tag_start:tag_start + 3].lower() == "<a ":
                continue
        found.append(match.group(1))
    found.extend(match.group(2) for match in _EXTERNAL_CSS_URL.finditer(page))
    return found


# ----------------------------------------------------------------------------------- index

def render_index(
    *,
    regions: Iterable[Mapping],
    modules: Iterable[Mapping],
    results: Mapping[tuple[str, str], Mapping],
    run_date: str,
    data_vintage: str,
) -> str:
    """The German index page of a run (self-contained, no scripts), from the template
    ``templates/index/index.html.j2``.

    ``regions``: one mapping per region with ``slug``, ``name`` and the key figures
    ``Bevölkerung 2020``, ``Veränderung 2015–2020``, ``Fläche (km²)``, ``Leitthema`` (as
    in :func:`regiopol.regions.overview`); ``modules``: mappings with ``name`` (``NN_name``)
    and ``title``; ``results``: ``(region slug, module name)`` → the entry of ``run.json``
    (``status``, ``seconds``, ``html`` relative path or None, ``error``).
    """
    modules = list(modules)
    rows = [{**region, "reports": [_index_report(module, results.get((region["slug"], module["name"]), {}))
                                   for module in modules]}
            for region in regions]
    failed = sum(entry.get("status") == "failed" for entry in results.values())
    return _index_environment().get_template(INDEX_TEMPLATE).render(
        regions=rows, modules=modules, failed=failed, run_date=run_date, data_vintage=data_vintage,
        version=_version())


def _index_report(module: Mapping, entry: Mapping) -> dict:
    """One module of a region on the index page: status, link to the page, duration, error."""
    status = entry.get("status", "pending")
    linked = status in ("ok", "skipped") and entry.get("html")
    return {
        "title": module["title"], "status": status, "label": STATUS_LABELS.get(status, status),
        "href": entry["html"] if linked else None, "seconds": entry.get("seconds"),
        "error": entry.get("error") if status == "failed" else None,
    }


@memo(maxsize=1)
def _index_environment():
    import jinja2

    from regiopol.core import fmt

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                                     trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                                     undefined=jinja2.StrictUndefined)
    environment.filters.update(number=_lenient(fmt.number), signed_percent=_lenient(fmt.signed_percent))
    return environment


def _lenient(format_value: Callable[..., str]) -> Callable[..., str]:
    """``format_value`` for a template: "–" for a missing value, the value as it is if it is no number."""
    def formatted(value, *args) -> str:
        if value is None:
            return "–"
        try:
            return format_value(value, *args)
        except (TypeError, ValueError):
            return str(value)

    return formatted
