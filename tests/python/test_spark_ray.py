"""Spark and Ray, run (issue 26, item 6): the recipes of docs/scaling.md, executed exactly as
written, score a partitioned collection (four Parquet files) on a local Spark session and on a
local Ray, and the scores equal local scoring value for value. Skipped, with the reason, when
Java, pyspark or Ray is missing (scripts/test-all.sh installs pyspark and ray when Java is on
PATH)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import hawkdove

ROOT = Path(__file__).resolve().parents[2]
pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")


def recipe(first_line: str) -> str:
    scaling = (ROOT / "docs" / "scaling.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"^```python\n(.*?)^```", scaling, re.S | re.M) if b.startswith(first_line)]
    assert len(blocks) == 1, f"docs/scaling.md has one block starting {first_line!r}"
    return blocks[0]


@pytest.fixture()
def passages(tmp_path, monkeypatch, texts):
    """passages.parquet: a directory of four Parquet files with columns id and text, 12,000 rows
    (the corpus file 30 times), so that the recipes' batches of 4,096 split it into several."""
    monkeypatch.chdir(tmp_path)
    many = [t for _ in range(30) for t in texts]
    frame = pd.DataFrame({"id": np.arange(len(many), dtype=np.int64), "text": many})
    (tmp_path / "passages.parquet").mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), 4)):
        frame.iloc[rows].to_parquet(tmp_path / "passages.parquet" / f"part-{i}.parquet", index=False)
    return frame


def local_scores(frame):
    return hawkdove.stance().score_texts(frame["text"])


def test_spark_recipe(passages, monkeypatch):
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java: no java on PATH")
    pytest.importorskip("pyspark", reason="pyspark is not installed (scripts/test-all.sh installs it when Java is present)")
    from pyspark.sql import SparkSession

    import sys

    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("hawkdove-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    try:
        namespace: dict[str, object] = {"__name__": "scaling_spark"}
        exec(compile(recipe("# needs pyspark"), "docs/scaling.md (Spark)", "exec"), namespace)  # noqa: S102
        assert namespace["df"].rdd.getNumPartitions() >= 2  # type: ignore[attr-defined]
        got = pd.read_parquet("scored-spark.parquet").sort_values("id").reset_index(drop=True)
    finally:
        spark.stop()
    expected = local_scores(passages)
    assert len(got) == len(passages)
    assert got["text"].tolist() == passages["text"].tolist()
    np.testing.assert_array_equal(got["stance"].to_numpy(), expected.scores)
    np.testing.assert_array_equal(got["stance2"].to_numpy(), expected.scores)


def test_ray_recipe(passages):
    ray = pytest.importorskip("ray", reason="ray is not installed (scripts/test-all.sh installs it when Java is present)")
    pytest.importorskip("ray.data")
    # Logical CPUs: the two scoring actors of the recipe plus the read and write tasks.
    ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        namespace: dict[str, object] = {"__name__": "scaling_ray"}
        exec(compile(recipe("# needs ray"), "docs/scaling.md (Ray)", "exec"), namespace)  # noqa: S102
        got = pd.read_parquet("scored-ray").sort_values("id").reset_index(drop=True)
    finally:
        ray.shutdown()
    expected = local_scores(passages)
    assert got["text"].tolist() == passages["text"].tolist()
    np.testing.assert_array_equal(got["score"].to_numpy(), expected.scores)
    assert got["label"].tolist() == expected.labels.tolist()
