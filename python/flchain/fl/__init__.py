"""The learning layer: models, data, local training, model encoding, aggregation.

Pure PyTorch and NumPy: nothing here knows of the chain or the store (see DESIGN.md).
Loading a downloaded global model into a model of the task's spec::

    from flchain.fl import ModelSpec, build_model, load_into

    model = build_model(ModelSpec.from_json(spec_bytes), seed=0)
    load_into(model, global_model_bytes)  # raises EncodingError if they do not fit
"""

from __future__ import annotations

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
from flchain.fl.models import ModelFamily, ModelSpec, build_model, select_device
from flchain.fl.partition import partition, partition_dirichlet, partition_iid, shard
from flchain.fl.simulation import (
    RoundMetrics,
    SimulationConfig,
    SimulationResult,
    simulate_fedavg,
)
from flchain.fl.training import OptimizerName, TrainStats, evaluate, train_local

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
