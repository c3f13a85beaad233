"""The learning layer: models, data, local training, model encoding, aggregation.

Pure PyTorch and NumPy: nothing here knows of the chain or the store (see DESIGN.md).
Loading a downloaded global model into a model of the task's spec::

    from flchain.fl import ModelSpec, build_model, load_into

    model = build_model(ModelSpec.from_json(spec_bytes), seed=0)
    load_into(model, global_model_bytes)  # raises EncodingError if they do not fit

Importing the package loads nothing heavy: each name comes from its module on first use
(PEP 562), so a command needing only rule names does not import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flchain.exports import lazy_exports

if TYPE_CHECKING:
    from flchain.fl.aggregation import (
        DEFAULT_RULE,
        RULE_IDS,
        RULES,
        AggregationResult,
        AggregationRule,
        RuleSpec,
        SideInputs,
        default_rule,
        fedavg,
        rule_by_id,
        rule_name,
        rule_spec,
        stack_updates,
    )
    from flchain.fl.data import (
        DIGITS_INPUT_SHAPE,
        ArrayDataset,
        from_arrays,
        load_digits_dataset,
        train_test_split,
    )
    from flchain.fl.encoding import (
        SAMPLES_KEY,
        decode_metadata,
        decode_state,
        encode_model,
        encode_state,
        flatten_state,
        load_into,
        unflatten_state,
    )
    from flchain.fl.idx import MNIST_INPUT_SHAPE, load_idx_dataset, load_mnist, read_idx
    from flchain.fl.model_spec import ModelFamily, ModelSpec
    from flchain.fl.models import build_model, select_device
    from flchain.fl.partition import partition, partition_dirichlet, partition_iid, shard
    from flchain.fl.simulation import (
        RoundMetrics,
        SimulationConfig,
        SimulationResult,
        simulate_fedavg,
    )
    from flchain.fl.training import OptimizerName, TrainStats, evaluate, train_local

_EXPORTS: dict[str, str] = {
    "AggregationResult": "flchain.fl.aggregation",
    "AggregationRule": "flchain.fl.aggregation",
    "ArrayDataset": "flchain.fl.data",
    "DEFAULT_RULE": "flchain.fl.aggregation",
    "DIGITS_INPUT_SHAPE": "flchain.fl.data",
    "MNIST_INPUT_SHAPE": "flchain.fl.idx",
    "ModelFamily": "flchain.fl.model_spec",
    "ModelSpec": "flchain.fl.model_spec",
    "OptimizerName": "flchain.fl.training",
    "RULES": "flchain.fl.aggregation",
    "RULE_IDS": "flchain.fl.aggregation",
    "RoundMetrics": "flchain.fl.simulation",
    "RuleSpec": "flchain.fl.aggregation",
    "SAMPLES_KEY": "flchain.fl.encoding",
    "SideInputs": "flchain.fl.aggregation",
    "SimulationConfig": "flchain.fl.simulation",
    "SimulationResult": "flchain.fl.simulation",
    "TrainStats": "flchain.fl.training",
    "build_model": "flchain.fl.models",
    "decode_metadata": "flchain.fl.encoding",
    "decode_state": "flchain.fl.encoding",
    "default_rule": "flchain.fl.aggregation",
    "encode_model": "flchain.fl.encoding",
    "encode_state": "flchain.fl.encoding",
    "evaluate": "flchain.fl.training",
    "fedavg": "flchain.fl.aggregation",
    "flatten_state": "flchain.fl.encoding",
    "from_arrays": "flchain.fl.data",
    "load_digits_dataset": "flchain.fl.data",
    "load_idx_dataset": "flchain.fl.idx",
    "load_into": "flchain.fl.encoding",
    "load_mnist": "flchain.fl.idx",
    "partition": "flchain.fl.partition",
    "partition_dirichlet": "flchain.fl.partition",
    "partition_iid": "flchain.fl.partition",
    "read_idx": "flchain.fl.idx",
    "rule_by_id": "flchain.fl.aggregation",
    "rule_name": "flchain.fl.aggregation",
    "rule_spec": "flchain.fl.aggregation",
    "select_device": "flchain.fl.models",
    "shard": "flchain.fl.partition",
    "simulate_fedavg": "flchain.fl.simulation",
    "stack_updates": "flchain.fl.aggregation",
    "train_local": "flchain.fl.training",
    "train_test_split": "flchain.fl.data",
    "unflatten_state": "flchain.fl.encoding",
}

__all__ = [
    "DEFAULT_RULE",
    "DIGITS_INPUT_SHAPE",
    "MNIST_INPUT_SHAPE",
    "RULES",
    "RULE_IDS",
    "SAMPLES_KEY",
    "AggregationResult",
    "AggregationRule",
    "ArrayDataset",
    "ModelFamily",
    "ModelSpec",
    "OptimizerName",
    "RoundMetrics",
    "RuleSpec",
    "SideInputs",
    "SimulationConfig",
    "SimulationResult",
    "TrainStats",
    "build_model",
    "decode_metadata",
    "decode_state",
    "default_rule",
    "encode_model",
    "encode_state",
    "evaluate",
    "fedavg",
    "flatten_state",
    "from_arrays",
    "load_digits_dataset",
    "load_idx_dataset",
    "load_into",
    "load_mnist",
    "partition",
    "partition_dirichlet",
    "partition_iid",
    "read_idx",
    "rule_by_id",
    "rule_name",
    "rule_spec",
    "select_device",
    "shard",
    "simulate_fedavg",
    "stack_updates",
    "train_local",
    "train_test_split",
    "unflatten_state",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
