"""Type checks for the config dataclasses (TaskConfig, ModelConfig, TrainConfig).

Configs come from TOML files and ``--set TABLE.KEY=VALUE``, where a typo gives a
value of the wrong type (``lr = .01`` is not a TOML number: it arrives as the string
".01"); checked when the dataclass is built, such a value is one clear error
instead of a traceback from deep inside training.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string", list: "an array"}


def check_fields(obj, table: str) -> None:
    """Check every field of dataclass ``obj`` against the type of its default.

    Integers are accepted for float fields (and stored as floats); booleans are
    not numbers here; NaN is refused.  Raises TypeError / ValueError naming
    ``table.field``.
    """
    for f in dataclasses.fields(obj):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        want, v = type(default), getattr(obj, f.name)
        number = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
        if want is bool:
            ok = isinstance(v, (bool, np.bool_))
        elif want is int:
            ok = number and not isinstance(v, (float, np.floating))
        elif want is float:
            ok = number
        else:
            ok = isinstance(v, (list, tuple)) if want is list else isinstance(v, want)
        if not ok:
            raise TypeError(f"{table}.{f.name} must be {_NAMES.get(want, want.__name__)}, got {v!r}")
        if want is float:
            if math.isnan(float(v)):
                raise ValueError(f"{table}.{f.name} must be a number, got nan")
            setattr(obj, f.name, float(v))
        elif want is int:
            setattr(obj, f.name, int(v))
        elif want is bool:
            setattr(obj, f.name, bool(v))
