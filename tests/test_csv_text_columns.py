"""A free-text CSV column feeds a string Input (TextVectorization, then Embedding) as raw text, in memory or streamed."""

import json
import random

import pytest

from netbuilder.cli import main

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()


@pytest.fixture
def reviews(tmp_path):
    """600 short reviews, every one different (far beyond what one-hot encoding takes): the words say the score."""
    rng = random.Random(0)
    lines = ["review,score"]
    for i in range(600):
        good = i % 2
        lines.append(f"\"{' '.join(rng.sample(WORDS[:6] if good else WORDS[6:], 4))} w{i}\",{good}")
    (tmp_path / "reviews.csv").write_text("\n".join(lines) + "\n")
    nodes = [{"id": "review", "layer": "Input", "config": {"shape": [1], "dtype": "string"}},
             {"id": "words", "layer": "TextVectorization", "config": {"max_tokens": 2000, "output_sequence_length": 8}},
             {"id": "embed", "layer": "Embedding", "config": {"input_dim": 2000, "output_dim": 8}},
             {"id": "pool", "layer": "GlobalAveragePooling1D", "config": {}},
             {"id": "score", "layer": "Dense", "config": {"units": 2, "activation": "softmax"}}]
    chain = ["review", "words", "embed", "pool", "score"]
    project = tmp_path / "reviews.nbproj"
    project.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "reviews",
        "graph": {"nodes": nodes, "edges": [{"source": a, "target": b} for a, b in zip(chain, chain[1:])]},
        "dataset": {"source": "reviews.csv", "target": ["score"], "inputs": {"review": ["review"]}},
        "training": {"epochs": 5, "batch_size": 32, "learning_rate": 0.01, "loss": "sparse_categorical_crossentropy",
                     "metrics": ["accuracy"], "seed": 1},
    }))
    return project


@pytest.mark.parametrize("stream_mb", ["64", "0"], ids=["in memory", "streamed"])
def test_a_free_text_column_trains_a_text_model(reviews, tmp_path, monkeypatch, capsys, stream_mb):
    monkeypatch.setenv("NETBUILDER_STREAM_CSV_MB", stream_mb)
    assert main(["train", str(reviews), "--out", str(tmp_path / "run")]) == 0, capsys.readouterr().err
    last = (tmp_path / "run" / "history.csv").read_text().splitlines()[-1].split(",")
    header = (tmp_path / "run" / "history.csv").read_text().splitlines()[0].split(",")
    assert float(last[header.index("val_accuracy")]) > 0.9


def test_the_savedmodel_and_predict_take_the_raw_text(reviews, tmp_path, capsys):
    assert main(["train", str(reviews), "--out", str(tmp_path / "run")]) == 0
    assert main(["export", str(reviews), "--run", str(tmp_path / "run"), "--format", "savedmodel",
                 "-o", str(tmp_path / "served")]) == 0, capsys.readouterr().err
    version = next((tmp_path / "served").iterdir())
    request = json.loads((version / "example_request.json").read_text())
    assert isinstance(request["instances"][0]["review"], str)
    rows = tmp_path / "rows.csv"
    rows.write_text('review\n"alpha beta gamma"\n"iota kappa mu"\n')
    capsys.readouterr()
    assert main(["predict", str(reviews), "--run", str(tmp_path / "run"), "--data", str(rows)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("review,") and [line.rsplit(",", 1)[1] for line in table[1:]] == ["1", "0"]
