r"""The networks of the GOTU experiments (PyTorch), sized by :class:`ModelConfig`.

Every model maps a ``(batch, n)`` float tensor of ±1 points to ``(batch,)``
real outputs.  The paper's defaults (Abbe, Bengio, Lotfi, Rizk, ICML 2023;
code aryol/GOTU ``models.py`` and ``token_transformer.py``):

===============  ===========================================================================
``mlp``          n→512→1024→512→64→1, ReLU, PyTorch's default init
``meanfield``    n→2^16→1, ReLU; layer 1 ``U(±1/√n)``, layer 2 ``U(±1)``, output / width
``rf_relu``      2^13 frozen features ``relu(Wx+b)``, ``W, b ~ N(0, 1/n)``; readout 0, no bias
``rf_poly``      the same with σ(z) = (1+z)^6 / 1000
``transformer``  2-token embedding, learned positions (randn, n+1), CLS token, 12 pre-LN
                 blocks, d = 256, 6 heads × 64, MLP 256 GELU, head LN+Linear
===============  ===========================================================================

The paper's random-features code sets ``param.required_grad = False`` (a typo),
so its features were trained; ``train_features=True`` reproduces that, the
default freezes them as the random-features model intends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ._fields import check_fields

__all__ = ["ModelConfig", "MODEL_KINDS", "build_model", "MLP", "MeanField", "RandomFeatures", "TokenTransformer"]

MODEL_KINDS = ("mlp", "meanfield", "rf_relu", "rf_poly", "transformer")
_DEFAULT_WIDTH = {"meanfield": 2**16, "rf_relu": 2**13, "rf_poly": 2**13}


@dataclass
class ModelConfig:
    """Architecture and size of one network; the defaults are the paper's."""

    kind: str = "mlp"  # one of MODEL_KINDS
    hidden: list[int] = field(default_factory=lambda: [512, 1024, 512, 64])  # mlp hidden widths
    width: int = 0  # meanfield neurons / rf features; 0 = the paper's (2**16 / 2**13)
    train_features: bool = False  # rf: True reproduces the original code's (trained) features
    poly_degree: int = 6  # rf_poly: sigma(z) = (1 + z)**degree / poly_scale
    poly_scale: float = 1000.0
    dim: int = 256  # transformer width d
    depth: int = 12  # transformer blocks
    heads: int = 6
    dim_head: int = 64
    mlp_dim: int = 256

    def __post_init__(self):
        check_fields(self, "model")
        if self.kind not in MODEL_KINDS:
            raise ValueError(f"unknown model kind {self.kind!r}; choose one of {', '.join(MODEL_KINDS)}")
        if not all(isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1 for h in self.hidden):
            raise ValueError(f"model.hidden must be widths >= 1, got {self.hidden!r}")
        self.hidden = [int(h) for h in self.hidden]
        if self.width == 0 and self.kind in _DEFAULT_WIDTH:
            self.width = _DEFAULT_WIDTH[self.kind]
        # sizes the kind uses must be >= 1 (0 would build an empty network); the others >= 0
        used = {"meanfield": ("width",), "rf_relu": ("width",), "rf_poly": ("width", "poly_degree"),
                "transformer": ("dim", "depth", "heads", "dim_head", "mlp_dim")}.get(self.kind, ())
        for name in ("width", "dim", "depth", "heads", "dim_head", "mlp_dim", "poly_degree"):
            low = 1 if name in used else 0
            if getattr(self, name) < low:
                raise ValueError(f"model.{name} must be >= {low} for a {self.kind}, got {getattr(self, name)}")
        if not (0 < self.poly_scale < math.inf):
            raise ValueError(f"model.poly_scale must be a positive number, got {self.poly_scale}")


class MLP(nn.Module):
    """n → hidden[0] → … → hidden[-1] → 1 with ReLU (PyTorch default init, as in the paper)."""

    def __init__(self, n: int, hidden=(512, 1024, 512, 64)):
        super().__init__()
        dims = [n, *hidden]
        layers = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(dims[-1], 1))
        self.seq = nn.Sequential(*layers)

    def forward(self, x):  # (B, n) -> (B,)
        return self.seq(x).squeeze(-1)


class MeanField(nn.Module):
    """Two-layer ReLU net in the mean-field scaling: ``f(x) = (1/m) Σ_j a_j relu(w_j·x + b_j) + c/m``.

    Init as the paper's code: ``w, b ~ U(±1/√n)``, ``a, c ~ U(±1)``; trained with lr ~ m.
    """

    def __init__(self, n: int, width: int = 2**16):
        super().__init__()
        self.width = width
        self.layer1 = nn.Linear(n, width)
        self.layer2 = nn.Linear(width, 1)
        for layer, bound in ((self.layer1, 1 / math.sqrt(n)), (self.layer2, 1.0)):
            nn.init.uniform_(layer.weight, -bound, bound)
            nn.init.uniform_(layer.bias, -bound, bound)

    def forward(self, x):
        return self.layer2(F.relu(self.layer1(x))).squeeze(-1) / self.width


class RandomFeatures(nn.Module):
    """``f(x) = Σ_j a_j σ(w_j·x + b_j)``, ``w, b ~ N(0, 1/n)``, ``a = 0`` at init, no output bias.

    ``activation``: ``"relu"`` or ``"poly"`` (σ(z) = (1+z)^degree / scale).  The features
    are frozen unless ``train_features`` (the behaviour of the original code).
    """

    def __init__(self, n: int, width: int = 2**13, activation: str = "relu", *,
                 train_features: bool = False, degree: int = 6, scale: float = 1000.0):
        super().__init__()
        if activation not in ("relu", "poly"):
            raise ValueError(f"activation must be 'relu' or 'poly', got {activation!r}")
        self.activation, self.degree, self.scale = activation, degree, scale
        self.features = nn.Linear(n, width)
        nn.init.normal_(self.features.weight, 0.0, 1 / math.sqrt(n))
        nn.init.normal_(self.features.bias, 0.0, 1 / math.sqrt(n))
        self.features.requires_grad_(train_features)
        self.readout = nn.Linear(width, 1, bias=False)
        nn.init.zeros_(self.readout.weight)

    def forward(self, x):
        z = self.features(x)
        h = F.relu(z) if self.activation == "relu" else (1 + z).pow(self.degree) / self.scale
        return self.readout(h).squeeze(-1)


class _Block(nn.Module):
    """Pre-LN Transformer block: ``x + Attn(LN x)``, then ``x + MLP(LN x)`` (GELU, no dropout)."""

    def __init__(self, dim, heads, dim_head, mlp_dim):
        super().__init__()
        self.heads, self.dim_head = heads, dim_head
        inner = heads * dim_head
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * inner, bias=False)
        # as in vit-pytorch: no output projection when a single head already has width dim
        self.proj = nn.Identity() if (heads == 1 and dim_head == dim) else nn.Linear(inner, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Linear(mlp_dim, dim))

    def forward(self, x):  # (B, T, d)
        B, T, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, self.heads, self.dim_head).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v)  # (B, h, T, dh)
        x = x + self.proj(a.transpose(1, 2).reshape(B, T, -1))
        return x + self.mlp(self.ln2(x))


class TokenTransformer(nn.Module):
    """ViT-style Transformer over the n bits as tokens, with a CLS token read out by LN + Linear.

    Token id of coordinate ``x_k`` is ``(x_k + 1) / 2`` (``+1 → 1``, ``-1 → 0``), as in the paper.
    """

    def __init__(self, n: int, dim=256, depth=12, heads=6, dim_head=64, mlp_dim=256):
        super().__init__()
        self.token_embedding = nn.Embedding(2, dim)
        self.pos_embedding = nn.Parameter(torch.randn(1, n + 1, dim))
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.blocks = nn.ModuleList(_Block(dim, heads, dim_head, mlp_dim) for _ in range(depth))
        self.head = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, 1))

    def forward(self, x):  # (B, n) ±1
        tokens = (x > 0).long()
        h = self.token_embedding(tokens)  # (B, n, d)
        h = torch.cat((self.cls_token.expand(h.shape[0], -1, -1), h), dim=1) + self.pos_embedding
        for block in self.blocks:
            h = block(h)
        return self.head(h[:, 0]).squeeze(-1)


def build_model(config: ModelConfig, n: int) -> nn.Module:
    """The network described by ``config`` for inputs in ``{±1}^n`` (initialised from torch's RNG).

    >>> build_model(ModelConfig("mlp", hidden=[8]), 3)(torch.ones(2, 3)).shape
    torch.Size([2])
    """
    c = config
    if c.kind == "mlp":
        return MLP(n, c.hidden)
    if c.kind == "meanfield":
        return MeanField(n, c.width)
    if c.kind in ("rf_relu", "rf_poly"):
        return RandomFeatures(n, c.width, c.kind[3:], train_features=c.train_features,
                              degree=c.poly_degree, scale=c.poly_scale)
    return TokenTransformer(n, c.dim, c.depth, c.heads, c.dim_head, c.mlp_dim)
