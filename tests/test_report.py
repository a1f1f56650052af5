"""HTML reports and the index page – rendered from hand-made executed notebooks, no kernel."""

from __future__ import annotations

import base64
import uuid

import nbformat
import pytest

from regiopol.core.errors import RegiopolError
from regiopol.report import html

# a 1×1 PNG
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")).decode()
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def executed_notebook(random_ids: bool = False):
    nb = nbformat.v4.new_notebook()
    cells = [
        nbformat.v4.new_markdown_cell("# Regionsüberblick Trier\n\nText mit [Quelle](https://www.destatis.de)."),
        nbformat.v4.new_code_cell('region = "x"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell('region = "trier"', metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_markdown_cell("## Bevölkerung\n\n### Altersgruppen"),
        nbformat.v4.new_code_cell("geheimer_code_marker = 1\nprint('Ausgabe 535.000')", execution_count=3),
        nbformat.v4.new_code_cell("abbildung()", execution_count=4),
    ]
    cells[4].outputs = [nbformat.v4.new_output("stream", name="stdout", text="Ausgabe 535.000\n")]
    cells[5].outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": SVG, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=4),
    ]
    for index, cell in enumerate(cells):
        cell["id"] = uuid.uuid4().hex[:8] if random_ids else f"c{index}"
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "regiopol", "display_name": "Python (regiopol)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def render(nb=None, run_date="26.11.2026 12:00"):
    return html.render_report(nb or executed_notebook(), title="Regionsüberblick – Trier", run_date=run_date,
                                data_vintage="Bevölkerung am 31.12.2020 (Datensatz abc)")


@pytest.fixture(scope="module")
def page() -> str:
    return render()


def test_page_is_german_titled_and_without_code(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="de">' in page
    assert "<title>Regionsüberblick – Trier</title>" in page
    assert "geheimer_code_marker" not in page and "abbildung()" not in page
    assert 'region = "trier"' not in page
    body = page[page.index("<body"):]
    assert "In&nbsp;[" not in body and "Out[" not in body
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body
    assert "Ausgabe 535.000" in page
    assert "Erstellt am 26.11.2026 12:00" in page
    assert "Datenstand: Bevölkerung am 31.12.2020 (Datensatz abc)" in page


def test_table_of_contents_from_headings(page):
    toc = page[page.index('<nav class="rp-toc"'):page.index("</nav>")]
    assert [line for line in toc.splitlines() if "<li" in line] == [
        '<li class="rp-l1"><a href="#Regions%C3%BCberblick-Trier">Regionsüberblick Trier</a></li>',
        '<li class="rp-l2"><a href="#Bev%C3%B6lkerung">Bevölkerung</a></li>',
        '<li class="rp-l3"><a href="#Altersgruppen">Altersgruppen</a></li>',
    ]
    assert page.index("</nav>") < page.index("<main>")
    assert 'id="Regions%C3%BCberblick-Trier"' in page  # the targets exist with the same (encoded) ids


def test_no_external_requests_and_embedded_images(page):
    assert "<script" not in page  # no require.js, MathJax, Mermaid, widgets
    assert html.external_references(page) == []
    # the only http in src/href is the reader's link to the source in the notebook's Markdown
    assert html.external_references(page, include_links=True) == ["https://www.destatis.de"]
    assert "mathjax" not in page.lower() and "cdnjs" not in page and "fonts.googleapis" not in page
    assert f"data:image/png;base64,{PNG}" in page
    svg = base64.b64encode(SVG.encode()).decode()
    assert f"data:image/svg+xml;base64,{svg}" in page  # SVG embedded as a data URI
    assert 'alt="Abbildung"' in page and "No description" not in page
    assert len(page.encode()) < html.MAX_REPORT_BYTES


def test_deterministic_apart_from_the_run_date():
    first = render(executed_notebook(random_ids=True))
    second = render(executed_notebook(random_ids=True))
    assert first == second
    other_date = render(executed_notebook(), run_date="01.01.2030 00:00")
    assert other_date.replace("01.01.2030 00:00", "26.11.2026 12:00") == first


def test_strip_external_removes_requests_but_keeps_links():
    dirty = ('<head><script src="https://cdnjs.cloudflare.com/require.js"></script>'
             '<script src="//cdn.example.org/x.js"></script>'
             '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
             '<style>@import url("https://fonts.example/f.css"); /* from https://github.com/x */ p{}</style></head>'
             '<body><img src="http://example.org/a.png"><a href="https://www.destatis.de">Destatis</a>'
             '<div style="background:url(https://example.org/bg.png)">x</div><video poster="https://e.org/p.png">'
             '<script>var inline = 1;</script></body>')
    assert len(html.external_references(dirty)) >= 5
    clean = html.strip_external(dirty)
    assert html.external_references(clean) == []
    assert "googleapis" not in clean and "cdnjs" not in clean and "github" not in clean
    assert '<a href="https://www.destatis.de">Destatis</a>' in clean
    assert "var inline = 1;" in clean and "p{}" in clean


def test_export_report_writes_atomically(tmp_path):
    source = tmp_path / "nb.ipynb"
    nbformat.write(executed_notebook(), str(source))
    target = tmp_path / "trier" / "00_ueberblick.html"
    html.export_report(source, target, title="Regionsüberblick – Trier", run_date="d", data_vintage="v")
    assert "<title>Regionsüberblick – Trier</title>" in target.read_text(encoding="utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["00_ueberblick.html"]


def test_a_report_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    source = tmp_path / "nb.ipynb"
    nbformat.write(executed_notebook(), str(source))
    target = tmp_path / "trier" / "00_ueberblick.html"
    target.parent.mkdir()
    target.write_text("old report", encoding="utf-8")
    monkeypatch.setattr(html, "MAX_REPORT_BYTES", 1000)
    with pytest.raises(RegiopolError, match=r"00_ueberblick\.html: report is .* MB, more than the limit.*Fix"):
        html.export_report(source, target, title="T", run_date="d", data_vintage="v")
    assert target.read_text(encoding="utf-8") == "old report"


def test_index_page_lists_status_links_key_figures_and_errors():
    regions = [
        {"slug": "trier", "name": "Trier", "Bevölkerung 2020": 535_016, "Veränderung 2015–2020": 0.0123,
         "Fläche (km²)": 4925.6, "Leitthema": "Gesundheit"},
        {"slug": "siegen", "name": "Siegen", "Bevölkerung 2020": 409_254, "Veränderung 2015–2020": -0.021,
         "Fläche (km²)": 1844.9, "Leitthema": "Wirtschaft"},
    ]
    modules = [{"name": "00_ueberblick", "title": "Regionsüberblick"}, {"name": "01_funktionen", "title": "Funktionen"}]
    results = {
        ("trier", "00_ueberblick"): {"status": "ok", "seconds": 12.34, "html": "trier/00_ueberblick.html"},
        ("trier", "01_funktionen"): {"status": "failed", "seconds": 3.0, "html": None,
                                     "error": "ValueError: <kaputt> in Zelle 3"},
        ("siegen", "00_ueberblick"): {"status": "skipped", "seconds": 10.0, "html": "siegen/00_ueberblick.html"},
    }
    page = html.render_index(regions=regions, modules=modules, results=results, run_date="26.11.2026 12:00",
                               data_vintage="Bevölkerung am 31.12.2020")
    assert '<html lang="de">' in page and "<script" not in page
    assert html.external_references(page, include_links=True) == []
    assert 'href="trier/00_ueberblick.html"' in page and 'href="siegen/00_ueberblick.html"' in page
    assert "fehlgeschlagen" in page and "ValueError: &lt;kaputt&gt; in Zelle 3" in page
    assert "nicht gelaufen" in page  # siegen/01 never ran
    assert "535.016" in page and "+1,2\u00a0%" in page and "4.926 km²" in page and "Gesundheit" in page
    assert "12,3 s" in page
    assert "Lauf vom 26.11.2026 12:00" in page and "Datenstand: Bevölkerung am 31.12.2020" in page


def test_index_page_comes_from_the_template_and_escapes_its_values():
    regions = [{"slug": "trier", "name": "Trier <Region>", "Bevölkerung 2020": None, "Veränderung 2015–2020": None,
                "Fläche (km²)": None, "Leitthema": None}]
    modules = [{"name": "00_ueberblick", "title": "Überblick & Lage"}]
    page = html.render_index(regions=regions, modules=modules, results={}, run_date="d", data_vintage='"v"')
    assert (html.TEMPLATES_DIR / html.INDEX_TEMPLATE).is_file()
    assert page.startswith("<!DOCTYPE html>") and "<title>Regiopolen – Berichte</title>" in page
    assert "Trier &lt;Region&gt;" in page and "Überblick &amp; Lage" in page and "&#34;v&#34;" in page
    assert "<dd>–</dd>" in page and "– km²" in page and "fehlgeschlagen" not in page
    assert "None" not in page and "Bericht öffnen" not in page



def test_csv_rounding_keeps_whole_numbers_and_three_significant_digits():
    import pandas as pd

    from regiopol.report import common

    table = pd.DataFrame({"Einwohner": [534438.0, 110674.0], "Dichte (EW/km²)": [61.499265, 945.446779],
                          "Anteil (%)": [12.3456, 0.001234], "Umland": [0.33239314807298403, 22.357]})
    out = common.rounded(table)
    assert out["Einwohner"].tolist() == [534438.0, 110674.0]
    assert out["Dichte (EW/km²)"].tolist() == [61.5, 945.4]            # shown whole, one more in the CSV
    assert out["Anteil (%)"].tolist() == [12.3456, 0.00123]            # 3 significant digits of the smallest
    assert out["Umland"].tolist() == [0.332, 22.357]


def test_every_kreis_label_a_reader_sees_is_unique():
    from regiopol.report import common

    labels = common.kreis_labels()
    assert len(labels) == 400 and labels.is_unique and common.kreis_names().is_unique
    assert (labels["06611"], labels["06633"]) == ("Kassel, Stadt", "Landkreis Kassel")
    assert (labels["09162"], labels["09184"]) == ("München, Stadt", "Landkreis München")
    assert labels["07211"] == "Trier" and labels["07235"] == "Trier-Saarburg"  # no collision: the short name
    assert common.area_label("", "Region Trier") == "Region Trier" and common.area_label("06633", "x") == "Landkreis Kassel"
