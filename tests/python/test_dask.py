"""Beyond one machine: a dask.distributed LocalCluster with worker processes scores a
partitioned collection, and the result equals local scoring exactly."""

from __future__ import annotations

import numpy as np
import pytest

import hawkdove

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")
pd = pytest.importorskip("pandas")


def score_partition(part: "pd.DataFrame", model: hawkdove.TextClassifier) -> "pd.DataFrame":
    return model.score_texts(part["text"]).to_frame(index=part.index)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def scored_on_cluster(client, model, texts):
    frame = pd.DataFrame({"text": texts})
    ddf = dd.from_pandas(frame, npartitions=4)
    meta = model.score_texts(texts[:1]).to_frame().iloc[:0]
    return ddf.map_partitions(score_partition, model, meta=meta).compute()


def test_trained_model_on_a_cluster(client, texts, stance_labels):
    model = hawkdove.TextClassifier(C=4.0).fit(texts[:300], stance_labels[:300])
    remote = scored_on_cluster(client, model, texts)
    local = model.score_texts(texts).to_frame()
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
    # The work really ran in other processes.
    pids = client.run(lambda: __import__("os").getpid())
    assert len(pids) == 2 and __import__("os").getpid() not in pids.values()
    np.testing.assert_array_equal(remote["score"].to_numpy(), model.stance_score(texts))
