"""index.export.half_lookup_tables: a graph's large lookup table stored in fp16, same lookups."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.export import half_lookup_tables


def _lookup_graph(path: Path, table: np.ndarray) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    ids = helper.make_tensor_value_info("ids", TensorProto.INT64, [None])
    out = helper.make_tensor_value_info("rows", TensorProto.FLOAT, [None, table.shape[1]])
    gather = helper.make_node("Gather", ["table", "ids"], ["rows"], name="lookup")
    graph = helper.make_graph([gather], "g", [ids], [out], [numpy_helper.from_array(table, "table")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def _run(path: Path, ids: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"ids": ids})[0]


def test_the_table_is_stored_in_fp16_and_lookups_still_give_fp32_rows(tmp_path: Path) -> None:
    import onnx

    table = np.random.default_rng(0).normal(size=(50, 8)).astype(np.float32)
    path = tmp_path / "m.onnx"
    _lookup_graph(path, table)
    ids = np.array([3, 0, 49], dtype=np.int64)
    before = _run(path, ids)
    assert half_lookup_tables(path, min_values=100) == ["table"]
    stored = onnx.load(str(path)).graph.initializer[0]
    assert stored.data_type == onnx.TensorProto.FLOAT16
    after = _run(path, ids)
    assert after.dtype == np.float32 and not np.array_equal(after, before)
    np.testing.assert_allclose(after, before, rtol=1e-3, atol=1e-3)


def test_small_tables_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "m.onnx"
    _lookup_graph(path, np.ones((5, 4), dtype=np.float32))
    data = path.read_bytes()
    assert half_lookup_tables(path, min_values=100) == [] and path.read_bytes() == data


def test_the_pooling_is_read_from_both_sentence_transformers_config_formats(tmp_path) -> None:
    """Models saved by sentence-transformers < 5 flag each mode; >= 5 write `pooling_mode`."""
    import json

    from index.export import _pooling

    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "modules.json").write_text(
        json.dumps([{"idx": 1, "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]), "utf-8"
    )
    config = tmp_path / "1_Pooling" / "config.json"
    for written, expected in (
        ({"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}, "mean"),
        ({"pooling_mode": "mean", "embedding_dimension": 384}, "mean"),
        ({"pooling_mode": "cls"}, "cls"),
        ({"pooling_mode": "max"}, None),
    ):
        config.write_text(json.dumps(written), "utf-8")
        assert _pooling(tmp_path) == expected, written
