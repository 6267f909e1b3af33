"""Run configurations: the three dataclasses, TOML in and out, the shipped tasks and their presets.

A run is ``RunConfig(task, model, train, preset)``; its TOML form is three
tables, which is also what a user writes (``boolfourier gotu --config my.toml``)::

    preset = "quick"          # optional: start from a shipped task's preset
    [task]
    name = "2parity"          # a shipped task (boolfourier/experiments/tasks/), or define all fields
    n = 12                    # ... and override what you like
    [model]
    kind = "mlp"
    hidden = [64, 64]
    [train]
    lr = 0.003
    epochs = 20

A shipped task file holds a ``[task]`` table and, per model, the paper's run as
``[paper.<model>]`` (keys of :class:`~boolfourier.training.TrainConfig`), plus
optional ``[quick.<model>]`` and other named presets (``[curriculum.mlp]``).
Keys of a preset table are routed by name to the task, model or train config.
How ``quick`` is derived is in :mod:`boolfourier.experiments.presets`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from ..models import ModelConfig
from ..training import TaskConfig, TrainConfig

__all__ = ["RunConfig", "list_tasks", "load_task_file", "load_task", "resolve", "load_config",
           "dumps", "loads", "split_overrides"]


@dataclass
class RunConfig:
    """One run: a task, a model, a training setup (with its seed), and the preset it came from."""

    task: TaskConfig = field(default_factory=TaskConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    preset: str = "custom"

    def to_dict(self) -> dict:
        return {"preset": self.preset, "task": dataclasses.asdict(self.task),
                "model": dataclasses.asdict(self.model), "train": dataclasses.asdict(self.train)}

    @classmethod
    def from_dict(cls, d: dict) -> "RunConfig":
        _check_tables(d)
        return cls(_build(TaskConfig, d.get("task", {}), "task"), _build(ModelConfig, d.get("model", {}), "model"),
                   _build(TrainConfig, d.get("train", {}), "train"), d.get("preset", "custom"))

    def with_seed(self, seed: int) -> "RunConfig":
        return dataclasses.replace(self, train=dataclasses.replace(self.train, seed=int(seed)))


def _check_tables(d: dict, where: str = "the config") -> None:
    unknown = set(d) - {"preset", "task", "model", "train"}
    if unknown:
        raise ValueError(f"{where}: unknown top-level keys {sorted(unknown)}; use tables [task], [model], [train]")
    for t in ("task", "model", "train"):
        if not isinstance(d.get(t, {}), dict):
            raise ValueError(f"{where}: {t} must be a table [{t}], got {d[t]!r}")
    if not isinstance(d.get("preset", "custom"), str):
        raise ValueError(f"{where}: preset must be a string, got {d['preset']!r}")


def _read_toml(path) -> dict:
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path} is not valid TOML: {e}") from None


def _build(cls, values: dict, table: str):
    names = {f.name for f in fields(cls)}
    unknown = set(values) - names
    if unknown:
        raise ValueError(f"unknown keys in [{table}]: {sorted(unknown)}; known: {sorted(names)}")
    return cls(**values)


def split_overrides(values: dict, where: str = "preset") -> tuple[dict, dict, dict]:
    """Route flat keys to (task, model, train) by field name."""
    out = ({}, {}, {})
    tables = [{f.name for f in fields(c)} for c in (TaskConfig, ModelConfig, TrainConfig)]
    for k, v in values.items():
        for names, dest in zip(tables, out):
            if k in names:
                dest[k] = v
                break
        else:
            raise ValueError(f"unknown key {k!r} in {where}")
    return out


# --------------------------------------------------------------------------- shipped tasks

def _tasks_dir():
    return resources.files("boolfourier.experiments") / "tasks"


def list_tasks() -> list[str]:
    """Names of the shipped tasks."""
    return sorted(p.name[:-5] for p in _tasks_dir().iterdir() if p.name.endswith(".toml"))


def load_task_file(name_or_path) -> dict:
    """The parsed TOML document of a shipped task (by name) or of a task file (by path)."""
    p = Path(str(name_or_path))
    if p.suffix == ".toml" and p.exists():
        return _read_toml(p)
    f = _tasks_dir() / f"{name_or_path}.toml"
    if not f.is_file():
        raise ValueError(f"unknown task {name_or_path!r}; shipped tasks: {', '.join(list_tasks())} "
                         "(or give a path to a .toml file)")
    return tomllib.loads(f.read_text())


def load_task(name_or_path) -> TaskConfig:
    """The :class:`TaskConfig` of a shipped task or task file."""
    return _build(TaskConfig, load_task_file(name_or_path).get("task", {}), "task")


def resolve(task="2parity", model="mlp", preset="paper", *, task_overrides=None, model_overrides=None,
            train_overrides=None) -> RunConfig:
    """The fully resolved :class:`RunConfig` of a task, a model kind and a preset.

    ``task``: a shipped task name, a task file path, or a parsed task document.
    ``preset``: ``"paper"`` (the paper's run), ``"quick"`` (see :mod:`.presets`),
    another preset named in the task file, or ``"custom"`` (the dataclass defaults).
    """
    from . import presets

    doc = task if isinstance(task, dict) else load_task_file(task)
    if (model_overrides or {}).get("kind", model) != model:
        raise ValueError(f"model.kind {model_overrides['kind']!r} differs from the model {model!r}: choose the "
                         "model by its name (--model), which also picks its preset")
    t, m, tr = presets.preset_overrides(doc, model, preset)
    # the caller's overrides win over the preset's, for the task as for the model and training
    task_cfg = _build(TaskConfig, {**doc.get("task", {}), **t, **(task_overrides or {})}, "task")
    model_cfg = _build(ModelConfig, {"kind": model, **m, **(model_overrides or {})}, "model")
    train_cfg = _build(TrainConfig, {**tr, **(train_overrides or {})}, "train")
    return RunConfig(task_cfg, model_cfg, train_cfg, preset)


def load_config(path) -> RunConfig:
    """Read a user's run TOML (see the module docstring) into a resolved :class:`RunConfig`."""
    d = _read_toml(path)
    _check_tables(d, str(path))
    task_tab, model_tab, train_tab = d.get("task", {}), d.get("model", {}), d.get("train", {})
    name = task_tab.get("name")
    preset = d.get("preset", "custom")
    if name in list_tasks():
        doc = load_task_file(name)
    elif preset != "custom":
        raise ValueError(f"{path}: preset {preset!r} needs [task] name to be a shipped task "
                         f"({', '.join(list_tasks())})")
    else:
        doc = {"task": {}}
    return resolve(doc, model_tab.get("kind", "mlp"), preset, task_overrides=task_tab,
                   model_overrides={k: v for k, v in model_tab.items() if k != "kind"},
                   train_overrides=train_tab)


# --------------------------------------------------------------------------- TOML out

# TOML basic-string escapes; other control characters are written \\uXXXX
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return '"' + "".join(_ESCAPES.get(ch) or (f"\\u{ord(ch):04X}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
                             for ch in v) + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def dumps(config, header: str = "") -> str:
    """TOML text of a :class:`RunConfig` (or a dict of scalars and flat tables)."""
    d = config.to_dict() if isinstance(config, RunConfig) else config
    lines = [f"# {h}" for h in header.splitlines()]
    lines += [f"{k} = {_toml_value(v)}" for k, v in d.items() if not isinstance(v, dict)]
    for k, v in d.items():
        if isinstance(v, dict):
            lines += ["", f"[{k}]", *(f"{kk} = {_toml_value(vv)}" for kk, vv in v.items())]
    return "\n".join(lines) + "\n"


def loads(text: str) -> RunConfig:
    """Inverse of :func:`dumps` for a fully resolved run config."""
    return RunConfig.from_dict(tomllib.loads(text))
