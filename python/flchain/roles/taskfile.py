"""Task configs (TOML files a task owner writes) and the task document published with a task.

The TOML config is validated into a :class:`TaskFile`; errors name the key. The *task
document* is the canonical JSON that the task publishes in the store and references on chain
as its model spec CID: the model spec plus everything a participant needs to train the same
way (dataset name and partition, local training hyperparameters, aggregation rule, and the
differential-privacy parameters when the task has a ``[privacy]`` section, so that anyone can
recompute the participants' epsilon). Private data never appears in it: each brings its own.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flchain.errors import ConfigError
from flchain.fl import RULE_IDS, ModelSpec, default_rule, rule_spec
from flchain.protocol.amounts import DEFAULT_DECIMALS, parse_tokens, to_units
from flchain.protocol.config_bounds import TaskTerms, require_safe_terms
from flchain.protocol.documents import DataConfig, TaskDocument, TrainingConfig
from flchain.roles.privacy.config import PRIVACY_KEYS, check_client_dp, parse_privacy
from flchain.roles.task_validation import validate_task_file

__all__ = [
    "TaskFile",
    "check_encryption",
    "check_rule",
    "load_task_file",
    "parse_task_file",
]

TOKEN_DECIMALS = DEFAULT_DECIMALS  # amounts in task files are of the dev token


@dataclass(frozen=True)
class TaskFile:
    """A validated task config (see examples/digits.toml)."""

    document: TaskDocument
    rounds: int
    commit_seconds: int
    reveal_seconds: int
    attest_seconds: int
    min_stake: int  # base units
    reward_per_round: int  # base units
    quorum_bps: int
    slash_bps: int
    reject_slash_bps: int
    attester_share_bps: int
    max_participants: int
    model_seed: int
    max_member_share_bps: int = 0  # cap on one member's counted share of a quorum base (0: none)

    @property
    def rule_id(self) -> int:
        """The aggregation rule's on-chain id."""
        return RULE_IDS[self.document.rule]


def check_rule(name: str) -> str:
    """The rule ``name`` names (``multi-krum`` = ``multi_krum``); ConfigError unless it is an
    aggregation rule (``fltrust`` also needs the owner's reference duty, roles/reference.py)."""
    rule = name.replace("-", "_")
    if rule not in RULE_IDS:
        raise ConfigError(f"task.rule must be one of {', '.join(sorted(RULE_IDS))}, got {name!r}.")
    return rule


def check_encryption(rule: str, private: bool, secure_aggregation: bool) -> None:
    """ConfigError unless the encryption options (``private``, ``secure_aggregation``) fit
    together and with the rule."""
    if secure_aggregation and not private:
        raise ConfigError(
            "task.secure_aggregation needs task.private = true: the round's roster of masked "
            "updates comes with the round's keyring."
        )
    spec = rule_spec(rule)
    if private and spec.side_inputs:
        raise ConfigError(
            f"task.private does not work with rule {rule!r} yet: its side input "
            f"({', '.join(spec.side_inputs)}) would be read in the clear; use another rule."
        )
    if secure_aggregation and not spec.secure_aggregation:
        raise ConfigError(
            f"task.secure_aggregation works with rule 'fedavg' only, got {rule!r}: robust rules "
            "must see each update, and secure aggregation reveals only their sum."
        )


def _section(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table.")
    return value


_TYPE_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}
_KNOWN_KEYS = {
    "task": {
        "name", "rounds", "rule", "commit_seconds", "reveal_seconds", "attest_seconds",
        "min_stake", "reward_per_round", "quorum", "slash", "reject_slash", "attester_share",
        "max_participants", "max_member_share", "model_seed", "rule_params", "private", "secure_aggregation",
    },
    "model": {"family", "hidden_sizes", "channels", "input_shape", "num_classes"},
    "data": {"dataset", "partition", "test_fraction", "seed"},
    "training": {"epochs", "batch_size", "lr", "optimizer"},
    "privacy": PRIVACY_KEYS,
}  # fmt: skip


def _ints(
    table: dict[str, Any], section: str, key: str, default: tuple[int, ...]
) -> tuple[int, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise ConfigError(f"{section}.{key} must be a list of integers, got {value!r}.")
    return tuple(value)


def _get(table: dict[str, Any], section: str, key: str, kind: type, default: Any) -> Any:
    value = table.get(key, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ConfigError(
            f"{section}.{key} must be {_TYPE_NAMES.get(kind, kind.__name__)}, got {value!r}."
        )
    return value


def _tokens(table: dict[str, Any], section: str, key: str, default: str) -> int:
    """An amount in whole tokens (string or number) -> base units of an 18-decimal token."""
    what = f"{section}.{key}"
    return to_units(parse_tokens(table.get(key, default), what), TOKEN_DECIMALS, what)


def _bps(
    table: dict[str, Any], section: str, key: str, default: float, low: float, high: float
) -> int:
    value = _get(table, section, key, float, default)
    if not low <= value <= high:
        raise ConfigError(f"{section}.{key} must be within [{low}, {high}], got {value}.")
    bps: int = round(value * 10_000)
    return bps


def parse_task_file(
    raw: dict[str, Any], *, num_features_shape: tuple[int, ...] | None = None
) -> TaskFile:
    """Validate a parsed TOML document into a TaskFile."""
    unknown = sorted(set(raw) - set(_KNOWN_KEYS))
    if unknown:
        raise ConfigError(
            f"Unknown section(s) {', '.join(unknown)}; expected task, model, data, training, privacy."
        )
    task, model, data, training = (_section(raw, s) for s in ("task", "model", "data", "training"))
    for name, table in (("task", task), ("model", model), ("data", data), ("training", training)):
        unknown_keys = sorted(set(table) - _KNOWN_KEYS[name])
        if unknown_keys:
            raise ConfigError(
                f"Unknown key(s) {', '.join(f'{name}.{k}' for k in unknown_keys)}; "
                f"known: {', '.join(sorted(_KNOWN_KEYS[name]))}."
            )
    data_cfg = DataConfig(
        dataset=_get(data, "data", "dataset", str, "digits"),
        partition=_get(data, "data", "partition", str, "iid"),
        test_fraction=_get(data, "data", "test_fraction", float, 0.2),
        seed=_get(data, "data", "seed", int, 0),
    )
    if data_cfg.dataset not in ("digits", "mnist"):
        raise ConfigError(f"data.dataset must be 'digits' or 'mnist', got {data_cfg.dataset!r}.")
    if data_cfg.partition != "iid":
        try:
            if not data_cfg.partition.startswith("dirichlet:") or (data_cfg.alpha or 0) <= 0:
                raise ValueError
        except ValueError as exc:
            raise ConfigError(
                f"data.partition must be 'iid' or 'dirichlet:ALPHA' (ALPHA > 0), got {data_cfg.partition!r}."
            ) from exc
    input_shape = (1, 8, 8) if data_cfg.dataset == "digits" else (1, 28, 28)
    spec = ModelSpec(
        family=_get(model, "model", "family", str, "mlp"),
        input_shape=_ints(model, "model", "input_shape", input_shape),
        num_classes=_get(model, "model", "num_classes", int, 10),
        hidden_sizes=_ints(model, "model", "hidden_sizes", ()),
        channels=_ints(model, "model", "channels", ()),
    )
    train_cfg = TrainingConfig(
        epochs=_get(training, "training", "epochs", int, 2),
        batch_size=_get(training, "training", "batch_size", int, 16),
        lr=_get(training, "training", "lr", float, 0.1),
        optimizer=_get(training, "training", "optimizer", str, "sgd"),
    )
    if train_cfg.optimizer not in ("sgd", "adam"):
        raise ConfigError(
            f"training.optimizer must be 'sgd' or 'adam', got {train_cfg.optimizer!r}."
        )
    private = _get(task, "task", "private", bool, False)
    rule = check_rule(_get(task, "task", "rule", str, default_rule(private)))
    rounds = _get(task, "task", "rounds", int, 10)
    if not 1 <= rounds <= 10_000:
        raise ConfigError(f"task.rounds must be within [1, 10000], got {rounds}.")
    seconds = {
        k: _get(task, "task", k, int, 600)
        for k in ("commit_seconds", "reveal_seconds", "attest_seconds")
    }
    for key, value in seconds.items():
        if value <= 0:
            raise ConfigError(f"task.{key} must be > 0 seconds, got {value}.")
    max_participants = _get(task, "task", "max_participants", int, 64)
    if not 1 <= max_participants <= 256:
        raise ConfigError(f"task.max_participants must be within [1, 256], got {max_participants}.")
    rule_params = task.get("rule_params", {})
    if not isinstance(rule_params, dict):
        raise ConfigError(f"task.rule_params must be a table, got {rule_params!r}.")
    rule_spec(rule).parse_params(rule_params)  # ConfigError names a bad parameter
    secure_aggregation = _get(task, "task", "secure_aggregation", bool, False)
    check_encryption(rule, private, secure_aggregation)
    document = TaskDocument(
        name=_get(task, "task", "name", str, "task"),
        model=spec,
        training=train_cfg,
        data=data_cfg,
        rule=rule,
        rule_params=dict(rule_params),
        private=private,
        secure_aggregation=secure_aggregation,
        privacy=(
            parse_privacy(_section(raw, "privacy"), epochs=train_cfg.epochs, rounds=rounds)
            if "privacy" in raw
            else None
        ),
    )
    if document.privacy is not None:
        check_client_dp(document.privacy, secure_aggregation, max_participants)
    task_file = TaskFile(
        document=document,
        rounds=rounds,
        min_stake=_tokens(task, "task", "min_stake", "10"),
        reward_per_round=_tokens(task, "task", "reward_per_round", "100"),
        quorum_bps=_bps(task, "task", "quorum", 0.67, 0.5001, 1.0),
        slash_bps=_bps(task, "task", "slash", 0.1, 0.0, 1.0),
        reject_slash_bps=_bps(task, "task", "reject_slash", 0.05, 0.0, 1.0),
        attester_share_bps=_bps(task, "task", "attester_share", 0.2, 0.0, 1.0),
        max_participants=max_participants,
        model_seed=_get(task, "task", "model_seed", int, 0),
        max_member_share_bps=_bps(task, "task", "max_member_share", 0.0, 0.0, 1.0),
        **seconds,
    )
    validate_task_file(task_file)  # ranges, model vs data, rule parameters: task_validation.py
    require_safe_terms(_terms(task_file))  # the coordinator's bounds, before anyone stakes
    return task_file


def _terms(task_file: TaskFile) -> TaskTerms:
    return TaskTerms(
        task_file.commit_seconds, task_file.reveal_seconds, task_file.attest_seconds,
        task_file.quorum_bps, task_file.slash_bps, task_file.reject_slash_bps,
        task_file.attester_share_bps, task_file.max_participants, task_file.max_member_share_bps,
    )  # fmt: skip


def load_task_file(path: Path) -> TaskFile:
    """Read and validate a task config file."""
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ConfigError(f"No task config at {path}; see examples/digits.toml.") from exc
    except (IsADirectoryError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path} is not a task config file (TOML); see examples/digits.toml."
        ) from exc
    except OSError as exc:
        raise ConfigError(f"Cannot read the task config {path}: {exc.strerror}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from exc
    return parse_task_file(raw)
