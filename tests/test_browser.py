"""The batch output in a real headless Chromium (Debian package ``chromium``).

One small real batch (two regions, real kernel) is opened from ``file://``: the index renders
in German with one row per region, every link resolves to an existing file or in-page
anchor, the console stays clean, no request leaves ``file://``/``data:``, and a report shows
its table of contents and its figures. Full-page screenshots of the index and of one report
are written to ``tests/artifacts/`` (git-ignored) and to pytest's tmp dir – look at them.

Needs ``/usr/bin/chromium`` (``make install-test`` installs it as root). Without it the tests
are skipped – or fail when ``CI`` is set, because then the test setup is broken.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import pytest

from regiopol import regions as regions_mod
from regiopol.run import runner

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REGIONS = ("trier", "siegen")
ARTIFACTS = Path(__file__).parent / "artifacts"
ALLOWED_SCHEMES = ("file:", "data:", "about:")
EXTERNAL = re.compile(r"^(https?|wss?|ftp)://", re.I)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} – the test setup must install it (Debian: apt-get install chromium; "
                    "`make install-test` does so as root)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - part of the test extras
        _unavailable("python package playwright not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def batch(browser, tmp_path_factory):
    """The real batch for two regions (after ``browser``: no batch without a browser to look at
    it); skipped where the Jupyter kernel is missing."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("regiopol")
    except NoSuchKernel:
        pytest.skip("Jupyter kernel 'regiopol' not installed (make install)")
    out = tmp_path_factory.mktemp("browser") / "out"
    result = runner.run(output=out, regions=list(REGIONS), jobs=2, progress=False)
    assert result.ok, result.summary()
    assert {r.region for r in result.results} == set(REGIONS)
    assert result.index.is_file()
    return result


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> list[Path]:
    """Directories for the screenshots: tests/artifacts/ and the pytest tmp dir."""
    ARTIFACTS.mkdir(exist_ok=True)
    return [ARTIFACTS, tmp_path_factory.mktemp("screenshots")]


class Visit:
    """One page in a fresh browser context, with everything it logged and requested."""

    def __init__(self, browser, path: Path):
        self.path = path
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE",
                                           java_script_enabled=True)

        def block(route):
            self.blocked.append(route.request.url)
            route.abort()

        self.context.route(EXTERNAL, block)
        self.page = page = self.context.new_page()
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("websocket", lambda ws: self.blocked.append(ws.url))
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_load_state("networkidle")

    def close(self) -> None:
        self.context.close()

    def hrefs(self) -> list[tuple[str, str]]:
        """(attribute as written, URL as the browser resolved it) of every ``<a href>``."""
        return self.page.eval_on_selector_all(
            "a[href]", "els => els.map(e => [e.getAttribute('href'), e.href])")

    def has_anchor(self, fragment: str) -> bool:
        """Whether navigating to ``#fragment`` (as written in the href) hits an element – the
        browser's own lookup (raw id first, then percent-decoded), via ``:target``."""
        return self.page.evaluate("""f => {
            location.hash = f;
            const hit = document.querySelector(':target') !== null;
            history.replaceState(null, '', location.pathname + location.search);
            window.scrollTo(0, 0);
            return hit;
        }""", fragment)

    def screenshot(self, dirs: list[Path], name: str) -> list[Path]:
        paths = [d / name for d in dirs]
        self.page.screenshot(path=str(paths[0]), full_page=True)
        for p in paths[1:]:
            shutil.copyfile(paths[0], p)
        for p in paths:
            print(f"\nScreenshot: {p}")
        return paths


@pytest.fixture(scope="module")
def pages(browser, batch):
    """Every HTML page of the batch, visited once: index first, then the reports."""
    out = batch.output
    reports = sorted(out.glob("*/[0-9][0-9]_*.html"))
    assert {p.parent.name for p in reports} == set(REGIONS), reports
    visits = {p: Visit(browser, p) for p in [out / "index.html", *reports]}
    yield visits
    for v in visits.values():
        v.close()


def _report(pages, region: str = "trier") -> Visit:
    return next(v for p, v in pages.items() if p.parent.name == region and p.name != "index.html")


def _anchor_in_file(path: Path, fragment: str) -> bool:
    """An element with id/name ``fragment`` as written or percent-decoded (what browsers try)."""
    text = path.read_text(encoding="utf-8")
    return any(re.search(rf'\b(?:id|name)="{re.escape(f)}"', text)
               for f in {fragment, unquote(fragment)})


# --- the index ---------------------------------------------------------------------------------

def test_index_renders_in_german_with_one_row_per_region(batch, pages, shots):
    v = pages[batch.output / "index.html"]
    page = v.page
    assert "Regiopolen" in page.title()
    assert page.get_attribute("html", "lang") == "de"
    assert page.locator("h1").first.is_visible()
    text = page.inner_text("body")
    assert "Regiopolen" in text
    registry = regions_mod.load()
    names = [r.name for r in registry]
    for name in names:
        assert name in text
    # the overview table: one row per configured region, the two that ran link to their report
    rows = page.locator("table").first.locator("tbody tr")
    assert rows.count() == len(names)
    assert [rows.nth(i).locator("th").inner_text().strip() for i in range(rows.count())] == names
    for region in registry:
        row = rows.filter(has_text=region.name)
        if region.slug in REGIONS:
            links = row.locator("a.ok")
            assert links.count() == len({r.module for r in batch.results})  # one per module
            for i in range(links.count()):
                assert links.nth(i).inner_text() == "erfolgreich"
                assert links.nth(i).get_attribute("href").startswith(f"{region.slug}/")
        else:
            assert "nicht gelaufen" in row.inner_text()
        assert page.locator(f"h2#region-{region.slug}").count() == 1
    # nothing technical leaks into what the reader sees
    assert not re.search(r"</?[a-z]+[ >]|Traceback|None|nan\b", text), text[:2000]
    v.screenshot(shots, "index.png")


def test_index_link_opens_report_in_browser(batch, browser):
    v = Visit(browser, batch.output / "index.html")
    try:
        with v.page.expect_navigation():
            v.page.get_by_role("link", name="Bericht öffnen").first.click()
        assert v.page.url.endswith("/00_ueberblick.html")
        assert "Regionsüberblick" in v.page.title()
        assert v.page.locator("nav.rp-toc").is_visible()
        assert not v.errors and not v.blocked
    finally:
        v.close()


# --- every page --------------------------------------------------------------------------------

def test_every_link_resolves(pages):
    problems = []
    checked = 0
    for path, v in pages.items():
        for raw, resolved in v.hrefs():
            checked += 1
            where = f"{path.parent.name}/{path.name}: {raw!r}"
            if raw.startswith("#"):
                fragment = raw[1:]
                if fragment and not v.has_anchor(fragment):
                    problems.append(f"{where} – no element with id {fragment!r}")
                continue
            if urlsplit(raw).scheme:
                problems.append(f"{where} – absolute link (scheme {urlsplit(raw).scheme!r}), not relative")
                continue
            url = urlsplit(resolved)
            if url.scheme != "file":
                problems.append(f"{where} – resolves to {resolved}")
                continue
            target = Path(url2pathname(url.path))
            if not target.is_file():
                problems.append(f"{where} – {target} does not exist")
            elif url.fragment and not _anchor_in_file(target, url.fragment):
                problems.append(f"{where} – {target.name} has no anchor {url.fragment!r}")
    assert checked > len(pages), "no links found"
    assert not problems, "\n".join(problems)


def test_no_console_errors_or_warnings(pages):
    problems = []
    for path, v in pages.items():
        name = f"{path.parent.name}/{path.name}"
        problems += [f"{name}: console {t}: {text}" for t, text in v.console if t in ("error", "warning")]
        problems += [f"{name}: page error: {e}" for e in v.errors]
        problems += [f"{name}: request failed: {r}" for r in v.failed]
    assert not problems, "\n".join(problems)


def test_no_request_leaves_file_scheme(pages):
    problems = []
    for path, v in pages.items():
        name = f"{path.parent.name}/{path.name}"
        assert v.requests and v.requests[0] == path.as_uri(), v.requests[:3]
        problems += [f"{name}: request {u}" for u in v.requests if not u.startswith(ALLOWED_SCHEMES)]
        problems += [f"{name}: blocked {u}" for u in v.blocked]
    assert not problems, "\n".join(problems)


# --- a report ----------------------------------------------------------------------------------

@pytest.mark.parametrize("region", REGIONS)
def test_report_shows_toc_and_figures(pages, shots, region):
    v = _report(pages, region)
    page = v.page
    assert page.get_attribute("html", "lang") == "de"
    name = regions_mod.get(region).name
    assert name in page.title()
    # table of contents, with working in-page links
    toc = page.locator("nav.rp-toc")
    assert toc.count() == 1 and toc.is_visible()
    assert toc.locator("p").first.inner_text().strip() == "Inhalt"
    entries = toc.locator("li a")
    assert entries.count() >= 3
    for i in range(entries.count()):
        assert v.has_anchor(entries.nth(i).get_attribute("href")[1:])
    # figures: every image loaded and has a size
    imgs = page.eval_on_selector_all(
        "img", "els => els.map(e => ({src: e.src.slice(0, 40), complete: e.complete,"
               " w: e.naturalWidth, h: e.naturalHeight, shown: e.getBoundingClientRect().width}))")
    assert len(imgs) >= 2, imgs
    bad = [i for i in imgs if not (i["complete"] and i["w"] > 0 and i["h"] > 0 and i["shown"] > 0)]
    assert not bad, bad
    # no code, no tracebacks, no raw HTML in the visible text
    assert page.locator(".jp-CodeCell .jp-InputArea:visible").count() == 0
    text = page.inner_text("body")
    assert not re.search(r"Traceback|Error|</?(div|table|span|img|p)\b", text), text[:2000]
    if region == REGIONS[0]:
        v.screenshot(shots, f"report_{region}.png")
