"""tools/glue_values.py: reads the glued values of executed chapters and finds any change."""

from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("glue_values", ROOT / "tools" / "glue_values.py")
glue_values = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(glue_values)


def _chapter(folder, values: dict) -> None:
    prefix = "application/papermill.record/"
    outputs = [{"output_type": "display_data", "metadata": {"scrapbook": {"name": k, "mime_prefix": prefix}},
                "data": {prefix + "text/plain": v}} for k, v in values.items()]
    outputs.append({"output_type": "stream", "name": "stdout", "text": "not glued"})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "01_scale.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": outputs}]}))


def test_reads_glued_values_and_reports_every_change(tmp_path, capsys):
    _chapter(tmp_path / "a", {"scale_n": "3", "scale_gain": "0.024"})
    _chapter(tmp_path / "b", {"scale_n": "3", "scale_gain": "0.025", "scale_new": "1"})
    assert glue_values.glued(tmp_path / "a") == {"01_scale:scale_n": "3", "01_scale:scale_gain": "0.024"}
    assert glue_values.main([str(tmp_path / "a"), str(tmp_path / "a"), "--compare"]) == 0
    assert "all 2 glued values are the same" in capsys.readouterr().out
    assert glue_values.main([str(tmp_path / "a"), str(tmp_path / "b"), "--compare"]) == 1
    out = capsys.readouterr().out
    assert "changed:     01_scale:scale_gain: '0.024' -> '0.025'" in out and "only after:  01_scale:scale_new" in out


def test_a_folder_without_executed_chapters_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="No executed chapters"):
        glue_values.glued(tmp_path)
