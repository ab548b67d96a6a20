"""A small nanoGPT-style decoder, as an ensemble: ``E`` independent models with stacked weights.

After Karpathy's nanoGPT (``model.py``): pre-LN blocks (LayerNorm without bias, causal
self-attention, GELU MLP 4x, no biases), tied input/output embeddings, GPT-2's scaled init of the
residual projections, FLOPs per token ``6 N + 12 L T d`` (PaLM appendix B) and MFU against the
bf16 peak. Every weight has a leading *member* dimension: member ``e`` is an ordinary GPT whose
weights are ``params[name][e]``, trained on its own data with its own optimizer state
(:mod:`mixphase.validate.optim`); one batched matmul (``torch.bmm``) serves all members. A single
run is an ensemble of one, so a member of a large ensemble computes what the same run computes
alone (tested to ~1e-6 relative on CPU in float32).

Layout choices for speed (the same math): a LayerNorm's weight is folded into the next linear
layer's weight (``(LN(h) * w) W^T = LN(h) (W diag w)^T``, a product of small matrices instead of
an activation-sized one); on CPU, attention is written out (``baddbmm`` with a causal mask,
softmax, ``bmm``), which is faster than SDPA's CPU kernels at these sequence lengths; on CUDA it
is ``scaled_dot_product_attention`` (flash / memory-efficient kernels).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F

#: Peak dense bf16 matrix throughput used for MFU (FLOP/s), by device-name substring.
PEAK_BF16_FLOPS: dict[str, float] = {
    "H100": 989e12,  # SXM, dense bf16
    "H200": 989e12,
    "A100": 312e12,
}


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int
    block_size: int
    n_layer: int = 1
    n_head: int = 2
    d_model: int = 32
    mlp_ratio: int = 4

    def __post_init__(self) -> None:
        if self.d_model % self.n_head:
            raise ValueError(f"d_model={self.d_model} is not a multiple of n_head={self.n_head}")
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "d_model", "mlp_ratio"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")

    def to_dict(self) -> dict:
        return asdict(self)

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of each weight of one member, in initialisation order."""
        d, f, v, t = self.d_model, self.mlp_ratio * self.d_model, self.vocab_size, self.block_size
        out: dict[str, tuple[int, ...]] = {"wte": (v, d), "wpe": (t, d)}
        for i in range(self.n_layer):
            out |= {f"h{i}.ln1": (d,), f"h{i}.qkv": (3 * d, d), f"h{i}.proj": (d, d),
                    f"h{i}.ln2": (d,), f"h{i}.fc": (f, d), f"h{i}.mproj": (d, f)}  # fmt: skip
        out["ln_f"] = (d,)
        return out

    def num_params(self, non_embedding: bool = False) -> int:
        """Parameters of one member (tied weights counted once); ``non_embedding`` drops the
        position table."""
        n = sum(math.prod(s) for s in self.shapes().values())
        return n - self.block_size * self.d_model if non_embedding else n

    def flops_per_token(self, seq_len: int | None = None) -> float:
        """Training FLOPs per token (forward + backward): ``6 N + 12 L T d`` (PaLM, app. B)."""
        t = seq_len or self.block_size
        return 6.0 * self.num_params(non_embedding=True) + 12.0 * self.n_layer * t * self.d_model


def init_member(cfg: GPTConfig, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """One member's initial weights (CPU, float32) from its own ``init`` stream: N(0, 0.02) for
    embeddings and linear weights, ``0.02 / sqrt(2 L)`` for the residual projections (GPT-2),
    LayerNorm weights 1."""
    out = {}
    for name, shape in cfg.shapes().items():
        if len(shape) == 1:
            out[name] = torch.ones(shape)
            continue
        std = 0.02 / math.sqrt(2 * cfg.n_layer) if name.endswith("proj") else 0.02
        out[name] = torch.randn(shape, generator=generator) * std
    return out


def stack_members(members: list[dict[str, torch.Tensor]], device) -> dict[str, torch.Tensor]:
    """Stack members' weights into leaf tensors ``(E, ...)`` that require grad."""
    return {k: torch.stack([m[k] for m in members]).to(device).requires_grad_()
            for k in members[0]}  # fmt: skip


def decays(name: str) -> bool:
    """Weight decay applies to matrices (embeddings, linear weights), not LayerNorm weights."""
    return not (name.endswith("ln1") or name.endswith("ln2") or name == "ln_f")


_MASKS: dict[tuple, torch.Tensor] = {}


def _mask(t: int, device, dtype) -> torch.Tensor:
    key = (t, str(device), dtype)
    if key not in _MASKS:
        _MASKS[key] = torch.full((t, t), float("-inf"), device=device, dtype=dtype).triu(1)
    return _MASKS[key]


def _linear(a: torch.Tensor, w: torch.Tensor, ln_w: torch.Tensor | None = None) -> torch.Tensor:
    """``a (E, N, din) @ w (E, dout, din)^T``, with a LayerNorm weight folded into ``w``."""
    if ln_w is not None:
        w = w * ln_w[:, None, :]
    return torch.bmm(a, w.transpose(1, 2))


def _attention(qkv: torch.Tensor, cfg: GPTConfig, seqs: int, t: int, sdpa: bool) -> torch.Tensor:
    """Causal self-attention of ``qkv (E, seqs*t, 3d)`` -> ``(E, seqs*t, d)``."""
    e, d, h = qkv.shape[0], cfg.d_model, cfg.n_head
    hd = d // h
    q, k, v = qkv.view(e * seqs, t, 3, h, hd).permute(2, 0, 3, 1, 4).unbind(0)
    if sdpa:
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (E*seqs, h, t, hd)
    else:
        q, k, v = (z.reshape(e * seqs * h, t, hd) for z in (q, k, v))
        s = torch.baddbmm(_mask(t, q.device, q.dtype), q, k.transpose(1, 2), alpha=hd**-0.5)
        o = torch.bmm(s.softmax(-1), v).view(e * seqs, h, t, hd)
    return o.transpose(1, 2).reshape(e, seqs * t, d)


def hidden(params: dict[str, torch.Tensor], idx: torch.Tensor, cfg: GPTConfig,
           sdpa: bool | None = None) -> torch.Tensor:  # fmt: skip
    """The residual stream after the last block, ``(E, B*T, d)``, for ``idx (E, B, T)``."""
    e, b, t = idx.shape
    d, v = cfg.d_model, cfg.vocab_size
    if sdpa is None:
        sdpa = idx.device.type == "cuda"
    offset = (torch.arange(e, device=idx.device) * v)[:, None, None]
    x = F.embedding(idx + offset, params["wte"].reshape(e * v, d)) + params["wpe"][:, None, :t]
    x = x.reshape(e, b * t, d)
    for i in range(cfg.n_layer):
        a = F.layer_norm(x, (d,))
        qkv = _linear(a, params[f"h{i}.qkv"], params[f"h{i}.ln1"])
        x = x + _linear(_attention(qkv, cfg, b, t, sdpa), params[f"h{i}.proj"])
        a = F.layer_norm(x, (d,))
        x = x + _linear(F.gelu(_linear(a, params[f"h{i}.fc"], params[f"h{i}.ln2"])),
                        params[f"h{i}.mproj"])  # fmt: skip
    return x


def head(params: dict[str, torch.Tensor], x: torch.Tensor, cfg: GPTConfig) -> torch.Tensor:
    """Logits ``(E, N, vocab)`` of residual-stream states ``x (E, N, d)`` (final LN, tied head)."""
    return _linear(F.layer_norm(x, (cfg.d_model,)), params["wte"], params["ln_f"])


def forward(params: dict[str, torch.Tensor], idx: torch.Tensor, cfg: GPTConfig,
            sdpa: bool | None = None) -> torch.Tensor:  # fmt: skip
    """Logits ``(E, B, T, vocab)`` for token ids ``idx (E, B, T)``."""
    e, b, t = idx.shape
    return head(params, hidden(params, idx, cfg, sdpa), cfg).view(e, b, t, cfg.vocab_size)


class _HeadCrossEntropy(torch.autograd.Function):
    """Tied output head + cross-entropy, fused, in row chunks that stay in cache (CPU).

    Forward computes, chunk by chunk, ``z = a W^T``, the loss ``logsumexp(z) - z_target`` and at
    once the gradients ``dz = (softmax(z) - onehot) / n``, ``da = dz W``, ``dW = dz^T a``; the
    logits are never stored. Backward scales the saved gradients by the incoming one. The same
    math as ``F.cross_entropy`` (mean over the non-ignored targets of each member).
    """

    @staticmethod
    def forward(ctx, a: torch.Tensor, w: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        e, m, _ = a.shape
        valid = y != -100
        n = valid.sum(1).clamp(min=1).to(a.dtype)
        rows = 256  # fixed: a member's arithmetic must not depend on the ensemble's size
        loss = torch.zeros(e, dtype=a.dtype, device=a.device)
        da, dw = torch.empty_like(a), torch.zeros_like(w)
        wt = w.transpose(1, 2)
        scale = (valid.to(a.dtype) / n[:, None])[..., None]
        for i in range(0, m, rows):
            ac = a[:, i : i + rows]
            z = torch.bmm(ac, wt)
            z.sub_(z.amax(2, keepdim=True))
            tgt = y[:, i : i + rows].clamp(min=0)[..., None]
            zt = z.gather(2, tgt)
            z.exp_()
            s = z.sum(2, keepdim=True)
            sc = scale[:, i : i + rows]
            loss += ((s.log() - zt) * sc).sum((1, 2))
            z.mul_(sc / s)
            z.scatter_add_(2, tgt, -sc)
            da[:, i : i + rows] = torch.bmm(z, w)
            dw.baddbmm_(z.transpose(1, 2), ac)
        ctx.save_for_backward(da, dw)
        return loss

    @staticmethod
    def backward(ctx, g: torch.Tensor):
        da, dw = ctx.saved_tensors
        return da * g[:, None, None], dw * g[:, None, None], None


def member_losses(params: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor,
                  cfg: GPTConfig, sdpa: bool | None = None) -> torch.Tensor:  # fmt: skip
    """Mean next-token cross-entropy of each member ``(E,)`` (targets -100 ignored)."""
    e = x.shape[0]
    if x.device.type == "cpu" and torch.is_grad_enabled():
        h = hidden(params, x, cfg, sdpa)
        w = params["wte"] * params["ln_f"][:, None, :]
        return _HeadCrossEntropy.apply(F.layer_norm(h, (cfg.d_model,)), w, y.reshape(e, -1))
    logits = forward(params, x, cfg, sdpa).float()
    ce = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), y.reshape(-1), ignore_index=-100,
                         reduction="none").view(e, -1)  # fmt: skip
    n = (y != -100).reshape(e, -1).sum(1).clamp(min=1)
    return ce.sum(1) / n


def mfu(flops_per_token: float, tokens_per_second: float, device_name: str) -> float | None:
    """Model FLOPs utilisation against the device's dense bf16 peak (None if unknown)."""
    for key, peak in PEAK_BF16_FLOPS.items():
        if key in device_name:
            return flops_per_token * tokens_per_second / peak
    return None


__all__ = ["GPTConfig", "decays", "forward", "head", "hidden", "init_member", "member_losses",
           "mfu", "stack_members"]  # fmt: skip
