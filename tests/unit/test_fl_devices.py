"""`--device auto|cpu|cuda[:N]`: a device the machine lacks is refused in one sentence."""

from __future__ import annotations

import pytest
import torch

from flchain.errors import ConfigError
from flchain.fl.models import DEVICE_ENV, select_device


def test_select_device_takes_cpu_when_asked() -> None:
    assert select_device("cpu") == torch.device("cpu")


def test_select_device_auto_is_cuda_only_when_available() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"

    assert select_device("auto").type == expected


def test_select_device_reads_the_environment_when_not_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DEVICE_ENV, "cpu")

    assert select_device() == torch.device("cpu")


@pytest.mark.parametrize("text", ["tpu", "cuda:x", "cuda:99"])
def test_select_device_refuses_a_device_this_machine_lacks(text: str) -> None:
    with pytest.raises(ConfigError, match="Device"):
        select_device(text)
