"""The quick-start notebook (examples/notebooks/quickstart.ipynb) is committed with its outputs;
this test re-executes it from top to bottom and compares the text outputs with the committed
ones. After a deliberate change, refresh the committed outputs with
``HAWKDOVE_UPDATE_NOTEBOOK=1 pytest tests/python/test_notebook.py``."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")
pytest.importorskip("pandas")

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "notebooks" / "quickstart.ipynb"


def text_outputs(nb) -> list[list[str]]:
    """Per code cell: the stream text and the text/plain of results (images and HTML are
    checked for presence only: their bytes depend on library versions)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        out = []
        for o in cell.outputs:
            if o.output_type == "stream":
                out.append(f"{o.name}: {o.text}")
            elif "text/plain" in o.get("data", {}) and "image/png" not in o["data"]:
                out.append(o["data"]["text/plain"])
        cells.append(out)
    return cells


def test_quickstart_notebook_executes_and_matches_its_outputs():
    committed = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in committed.cells if c.cell_type == "code"]
    updating = os.environ.get("HAWKDOVE_UPDATE_NOTEBOOK") == "1"
    assert updating or all(c.outputs for c in code), "committed with outputs"
    nb = copy.deepcopy(committed)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {k for o in outputs for k in o.get("data", {})}
    assert "image/png" in kinds, "the passage-score plot is drawn"
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("hawkdove-explanation" in h for h in html), "the explanation is highlighted"
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "round trips are exact" in text
    if updating:
        for cell in nb.cells:
            cell.get("metadata", {}).pop("execution", None)
        nbformat.write(nb, NOTEBOOK)
        return
    committed_kinds = {k for c in code for o in c.outputs for k in o.get("data", {})}
    assert {"image/png", "text/html"} <= committed_kinds, "the committed outputs include the plot and the HTML"
    assert text_outputs(nb) == text_outputs(committed), (
        "the notebook's outputs changed; if intended, refresh them with "
        "HAWKDOVE_UPDATE_NOTEBOOK=1 pytest tests/python/test_notebook.py"
    )
