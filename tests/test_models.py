"""Models of the GOTU experiments: shapes, the paper's sizes and inits, frozen features."""

import math

import pytest

torch = pytest.importorskip("torch")

from boolfourier.models import MODEL_KINDS, ModelConfig, build_model  # noqa: E402

torch.set_num_threads(1)

SMALL = {
    "mlp": {"hidden": [16, 8]},
    "meanfield": {"width": 32},
    "rf_relu": {"width": 32},
    "rf_poly": {"width": 32},
    "transformer": {"dim": 16, "depth": 2, "heads": 2, "dim_head": 8, "mlp_dim": 16},
}


def _x(m, n, seed=0):
    g = torch.Generator().manual_seed(seed)
    return 1 - 2 * torch.randint(0, 2, (m, n), generator=g).float()


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_output_shape_and_seeded_init(kind):
    cfg = ModelConfig(kind, **SMALL[kind])
    torch.manual_seed(3)
    a = build_model(cfg, 5)
    torch.manual_seed(3)
    b = build_model(cfg, 5)
    x = _x(7, 5)
    out = a(x)
    assert out.shape == (7,) and out.dtype == torch.float32
    assert torch.equal(out, b(x))


def test_paper_defaults():
    assert ModelConfig("mlp").hidden == [512, 1024, 512, 64]
    assert ModelConfig("meanfield").width == 2**16
    assert ModelConfig("rf_relu").width == ModelConfig("rf_poly").width == 2**13
    t = ModelConfig("transformer")
    assert (t.dim, t.depth, t.heads, t.dim_head, t.mlp_dim) == (256, 12, 6, 64, 256)
    with pytest.raises(ValueError, match="unknown model kind"):
        ModelConfig("cnn")


def test_mlp_layers():
    net = build_model(ModelConfig("mlp"), 15)
    shapes = [tuple(m.weight.shape) for m in net.modules() if isinstance(m, torch.nn.Linear)]
    assert shapes == [(512, 15), (1024, 512), (512, 1024), (64, 512), (1, 64)]


def test_meanfield_init_and_scaling():
    n, width = 9, 64
    net = build_model(ModelConfig("meanfield", width=width), n)
    assert net.layer1.weight.abs().max() <= 1 / math.sqrt(n)
    assert net.layer1.bias.abs().max() <= 1 / math.sqrt(n)
    assert net.layer2.weight.abs().max() <= 1.0
    x = _x(4, n)
    manual = (torch.relu(x @ net.layer1.weight.T + net.layer1.bias) @ net.layer2.weight.T + net.layer2.bias) / width
    torch.testing.assert_close(net(x), manual.squeeze(-1))


def test_meanfield_init_is_the_papers_not_torchs_default():
    # PyTorch's default already gives layer 1 U(±1/sqrt(n)); layer 2 must be U(±1), not U(±1/sqrt(width))
    torch.manual_seed(0)
    net = build_model(ModelConfig("meanfield", width=1024), 9)
    w2 = net.layer2.weight
    assert w2.abs().max() > 0.9 and abs(w2.std().item() - 1 / math.sqrt(3)) < 0.05
    assert net.layer2.bias.abs().max() <= 1.0


@pytest.mark.parametrize("kind", ["rf_relu", "rf_poly"])
def test_random_features_are_gaussian_with_variance_one_over_n(kind):
    torch.manual_seed(0)
    n = 16
    net = build_model(ModelConfig(kind, width=2**13), n)
    assert abs(net.features.weight.std().item() - 1 / math.sqrt(n)) < 0.01  # torch's default: 1/sqrt(3n)
    assert abs(net.features.bias.std().item() - 1 / math.sqrt(n)) < 0.02
    assert net.features.weight.abs().max() > 3 / math.sqrt(n)  # Gaussian tails, not a uniform's bound


@pytest.mark.parametrize("kind", ["rf_relu", "rf_poly"])
def test_random_features_frozen_by_default(kind):
    net = build_model(ModelConfig(kind, width=16), 4)
    assert not any(p.requires_grad for p in net.features.parameters())
    assert torch.count_nonzero(net.readout.weight) == 0 and net.readout.bias is None
    assert torch.equal(net(_x(3, 4)), torch.zeros(3))
    trainable = build_model(ModelConfig(kind, width=16, train_features=True), 4)  # the original code's behaviour
    assert all(p.requires_grad for p in trainable.parameters())


def test_rf_poly_activation():
    net = build_model(ModelConfig("rf_poly", width=8, poly_degree=3, poly_scale=10.0), 4)
    torch.nn.init.ones_(net.readout.weight)
    x = _x(5, 4)
    z = x @ net.features.weight.T + net.features.bias
    torch.testing.assert_close(net(x), ((1 + z) ** 3 / 10).sum(1))


def test_transformer_structure():
    n = 6
    net = build_model(ModelConfig("transformer"), n)
    assert net.pos_embedding.shape == (1, n + 1, 256) and net.cls_token.shape == (1, 1, 256)
    assert len(net.blocks) == 12
    d, inner, mlp = 256, 6 * 64, 256
    block = 2 * 2 * d + d * 3 * inner + (inner * d + d) + (d * mlp + mlp) + (mlp * d + d)
    expected = 2 * d + (n + 1) * d + d + 12 * block + (2 * d + d + 1)  # same count as the paper's ViT
    assert sum(p.numel() for p in net.parameters()) == expected


def test_transformer_tokens_are_bits():
    net = build_model(ModelConfig("transformer", **SMALL["transformer"]), 3)
    x = torch.tensor([[1.0, -1.0, 1.0]])
    emb = net.token_embedding.weight
    h0 = torch.cat([net.cls_token[0], emb[[1, 0, 1]]]) + net.pos_embedding[0]  # +1 -> token 1, -1 -> token 0
    for block in net.blocks:
        h0 = block(h0[None])[0]
    torch.testing.assert_close(net(x), net.head(h0[0])[None].squeeze(-1))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_models_on_cuda(kind):
    net = build_model(ModelConfig(kind, **SMALL[kind]), 5).cuda()
    assert net(_x(4, 5).cuda()).shape == (4,)
