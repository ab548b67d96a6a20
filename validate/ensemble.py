"""Train several runs that share a model shape as one batched ensemble; one result per run.

Each run (*member*) keeps everything a single run has: its own data stream (same seeds and the
same draws as when trained alone: :mod:`mixphase.validate.data`), initial weights (its ``init``
stream), AdamW moments and step count, learning-rate schedule (members may differ in steps,
warmup, peak rate and schedule), gradient-norm clipping, evaluation, ``log.jsonl`` and
``result.json``. What is shared is only the arithmetic: one ``bmm`` per layer for all members
(:mod:`mixphase.validate.model`), one optimizer update over ``(E, P)``
(:mod:`mixphase.validate.optim`), batches assembled together, evaluation batched. A single run is
an ensemble of one (:func:`mixphase.validate.train.train`).

Members train in *slots* (rows of the weight matrix). A slot holds one run, or, for WSD runs
that differ only in length, the shared trunk of several (:mod:`mixphase.validate.branching`): the
trunk forks a new slot at each sibling's ``stable_end``. A slot whose run has finished is
evaluated, its result written, and its row dropped, so members of different lengths train
together without wasted steps.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import torch

from mixphase.errors import MixphaseInputError
from mixphase.io import atomic_write
from mixphase.records import dumps
from mixphase.validate import branching
from mixphase.validate.config import RunConfig, build_corpus
from mixphase.validate.model import GPTConfig, init_member, member_losses
from mixphase.validate.optim import AdamW, FlatLayout
from mixphase.validate.presets import get_preset
from mixphase.validate.record import make_result
from mixphase.validate.seeds import ENGINE_VERSION, torch_seed

Progress = Callable[[str, int, int], None]


@dataclass(eq=False)
class _Member:
    index: int
    cfg: RunConfig
    out: Path | None
    corpus: object
    trunk: str | None

    @property
    def stable_end(self) -> int:
        return self.cfg.lr_schedule().stable_end

    def write_log(self, rec: dict, quiet: bool, prefix: str) -> None:
        if self.out is not None:
            with open(self.out / "log.jsonl", "a") as fh:
                fh.write(dumps(rec) + "\n")
        if not quiet:  # the log is diagnostics: stderr, so that stdout holds only the result
            print(prefix + dumps(rec), file=sys.stderr, flush=True)


@dataclass(eq=False)
class _Slot:
    members: list[_Member]  # sorted by length; the first branches off next
    stream: object
    step: int = 0
    shared_until: int | None = None
    log: list[dict] = field(default_factory=list)
    started: int = 0  # step at which this ensemble started training the slot


def check_group(cfgs: list[RunConfig]) -> None:
    if not cfgs:
        raise MixphaseInputError("an ensemble needs at least one run")
    if len({c.group_key() for c in cfgs}) != 1:
        raise MixphaseInputError("runs of one ensemble must share preset, model shape, batch "
                                 "size, device and web data")  # fmt: skip
    if len({c.key() for c in cfgs}) != len(cfgs):
        raise MixphaseInputError("an ensemble cannot hold the same run twice")


def _init_slots(members: list[_Member], trunk_dir, branch: bool) -> tuple[list[_Slot], list]:
    """Slots (trunks of WSD siblings when ``branch``) and each slot's initial state (None:
    from scratch, else a checkpoint dict)."""
    families: dict[str, list[_Member]] = {}
    solo = []
    for m in members:
        if branch and m.trunk is not None:
            families.setdefault(m.trunk, []).append(m)
        else:
            solo.append([m])
    groups = solo + [
        sorted(f, key=lambda m: (m.stable_end, m.cfg.steps)) for f in families.values()
    ]
    slots, states = [], []
    for g in sorted(groups, key=lambda g: g[0].index):
        first = g[0]
        stream = first.corpus.stream(first.cfg.ratio, first.cfg.seed, first.cfg.data_seed)
        ck = None
        if first.trunk is not None:
            found = branching.latest(trunk_dir, first.trunk, first.stable_end)
            if found is not None:
                ck = branching.load(found[1])
                stream.load_state_dict(ck["stream"])
        slot = _Slot(g, stream)
        if ck is not None:
            slot.step = slot.started = slot.shared_until = int(ck["step"])
            slot.log = list(ck["log"])
        slots.append(slot)
        states.append(ck)
    return slots, states


def train_ensemble(cfgs: list[RunConfig], out_dirs: list | None = None, *,
                   trunk_dir: str | os.PathLike | None = None, branch: bool = True,
                   progress: Progress | None = None,
                   on_result: Callable[[int, dict], None] | None = None,
                   quiet: bool = True) -> list[dict]:  # fmt: skip
    """Train ``cfgs`` together; return their results (in order), each also written to
    ``out_dirs[i]/result.json`` (atomically, at the end) with ``log.jsonl`` beside it.

    ``trunk_dir``: where WSD trunk checkpoints are read and written (None: none are).
    ``on_result(i, result)`` is called as soon as run ``i`` finishes.
    """
    cfgs = [c.resolved() for c in cfgs]
    check_group(cfgs)
    outs = [None if o is None else Path(o) for o in (out_dirs or [None] * len(cfgs))]
    try:
        return _train(cfgs, outs, trunk_dir, branch, progress, on_result, quiet)
    except torch.cuda.OutOfMemoryError:
        c = cfgs[0]
        raise MixphaseInputError(
            f"out of memory for {len(cfgs)} x {c.model_size.name} at batch {c.batch_size}: "
            "lower --batch-size, the model size or the ensemble memory budget"
        ) from None


def _train(cfgs, outs, trunk_dir, branch, progress, on_result, quiet) -> list[dict]:
    t_start, cpu_start = time.perf_counter(), time.process_time()
    c0 = cfgs[0]
    preset = get_preset(c0.preset)
    device = torch.device(c0.device)
    cuda = device.type == "cuda"
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    corpora: dict[tuple, object] = {}
    members = []
    for i, (c, o) in enumerate(zip(cfgs, outs, strict=True)):
        if c.data_key() not in corpora:
            corpora[c.data_key()] = build_corpus(c)
        members.append(_Member(i, c, o, corpora[c.data_key()], branching.trunk_key(c)))
        if o is not None:
            o.mkdir(parents=True, exist_ok=True)
            (o / "log.jsonl").unlink(missing_ok=True)
    corpus0 = members[0].corpus
    gcfg = GPTConfig(vocab_size=corpus0.vocab_size, block_size=corpus0.seq_len,
                     n_layer=c0.n_layer, n_head=c0.n_head, d_model=c0.d_model)  # fmt: skip
    layout = FlatLayout(gcfg)
    slots, states = _init_slots(members, trunk_dir, branch)
    rows = []
    for slot, st in zip(slots, states, strict=True):
        if st is None:
            gen = torch.Generator().manual_seed(torch_seed("init", slot.members[0].cfg.seed))
            rows.append(layout.flatten(init_member(gcfg, gen)))
        else:
            rows.append(st["flat"])
    flat = torch.stack(rows).to(device).requires_grad_()
    opt = AdamW(flat, layout.decay_mask(device), weight_decay=preset.weight_decay)
    for e, st in enumerate(states):
        if st is not None:
            opt.load_member_state(e, st)
    prefix = (lambda m: "") if len(members) == 1 else (lambda m: f"[{m.cfg.key()}] ")
    for slot in slots:
        for m in slot.members:
            for rec in slot.log:
                m.write_log(rec, quiet, prefix(m))
    if hasattr(corpus0, "layout"):
        from mixphase.validate.batches import Batcher
        from mixphase.validate.evaluate import evaluate_symbolic as evaluate
    else:
        from mixphase.validate.evaluate import evaluate_text as evaluate
        from mixphase.validate.text_data import TextBatcher as Batcher
    batcher = Batcher([m.corpus for m in members], c0.batch_size, device)
    use_compile = c0.compile == "yes" or (c0.compile == "auto" and cuda)
    loss_fn = torch.compile(member_losses) if use_compile else member_losses
    amp = torch.autocast("cuda", dtype=torch.bfloat16) if cuda else nullcontext()
    dev_name = (
        torch.cuda.get_device_name(device) if cuda else f"cpu ({torch.get_num_threads()} threads)"
    )
    tokens_per_slot_step = c0.batch_size * corpus0.seq_len
    n_members = len(members)
    it, warm_it, t_warm, slot_steps = 0, 10, None, 0
    results: list[dict | None] = [None] * len(members)

    def params(rows_idx=None):
        f = flat if rows_idx is None else flat.detach()[rows_idx]
        return layout.unflatten(f)

    def evaluate_slots(idx: list[int]) -> list[dict]:
        with torch.no_grad(), amp:
            return evaluate(params(idx), gcfg, [slots[i].members[0].corpus for i in idx],
                            [slots[i].stream for i in idx],
                            max_people=slots[idx[0]].members[0].cfg.max_eval_people)  # fmt: skip

    def log(slot: _Slot, rec: dict) -> None:
        slot.log.append(rec)
        for m in slot.members:
            m.write_log(rec, quiet, prefix(m))

    while slots:
        # Branch points: save the trunk, fork off the shortest sibling.
        forks = []
        for e, slot in enumerate(slots):
            first = slot.members[0]
            if first.trunk is not None and slot.step == first.stable_end:
                if trunk_dir is not None:
                    branching.save(trunk_dir, first.trunk, slot.step, {
                        "flat": flat[e].detach().cpu().clone(), **opt.member_state(e),
                        "stream": slot.stream.state_dict(), "log": slot.log,
                        "engine_version": ENGINE_VERSION})  # fmt: skip
                if len(slot.members) > 1:
                    forks.append(e)
        if forks:
            keep = list(range(len(slots))) + forks
            for e in forks:
                trunk = slots[e]
                branch_off = _Slot([trunk.members.pop(0)], trunk.stream.fork(), trunk.step,
                                   trunk.step, list(trunk.log), trunk.started)  # fmt: skip
                trunk.shared_until = trunk.step
                slots.append(branch_off)
            flat = flat.detach()[keep].clone().requires_grad_()
            opt.select(flat, keep)
        # Finished runs: evaluate together, write results, drop their rows.
        done = [e for e, s in enumerate(slots) if s.step >= s.members[0].cfg.steps]
        if done:
            if cuda:
                torch.cuda.synchronize()
            t_now = time.perf_counter()
            evs = evaluate_slots(done)
            for e, ev in zip(done, evs, strict=True):
                slot, m = slots[e], slots[e].members[0]
                log(slot, {"step": slot.step, "eval": ev})
                trained = slot.step - slot.started
                timed = max(trained - warm_it, 1)
                span = max(t_now - (t_warm or t_start), 1e-9)
                res = make_result(
                    m.cfg, m.corpus, slot.stream, ev, gcfg,
                    seconds=time.perf_counter() - t_start,
                    cpu_seconds=time.process_time() - cpu_start,
                    tokens_per_second=tokens_per_slot_step * timed / span,
                    ensemble_size=n_members,
                    ensemble_tokens_per_second=tokens_per_slot_step * slot_steps / span,
                    device_name=dev_name, compiled=use_compile,
                    branched_from_step=slot.shared_until)  # fmt: skip
                if m.out is not None:
                    with atomic_write(m.out / "result.json") as fh:
                        json.dump(json.loads(dumps(res)), fh, indent=1)
                results[m.index] = res
                if progress:
                    progress(m.cfg.key(), slot.step, m.cfg.steps)
                if on_result:
                    on_result(m.index, res)
            keep = [e for e in range(len(slots)) if e not in done]
            slots = [slots[e] for e in keep]
            if not slots:
                break
            flat = flat.detach()[keep].clone().requires_grad_()
            opt.select(flat, keep)
        # One training step of every slot.
        if it == warm_it:
            if cuda:
                torch.cuda.synchronize()
            t_warm, slot_steps = time.perf_counter(), 0
        lrs = [s.members[0].cfg.lr_schedule().lr_at(s.step) for s in slots]
        x, y = batcher([s.stream for s in slots])
        with amp:
            losses = loss_fn(params(), x, y, gcfg)
        losses.sum().backward()
        opt.clip_(preset.grad_clip)
        opt.step(lrs)
        it += 1
        slot_steps += len(slots)
        to_log = [e for e, s in enumerate(slots) if _log_now(s)]
        vals = losses.detach().float().cpu().tolist() if to_log else None
        for e in to_log:
            s = slots[e]
            log(s, {"step": s.step, "lr": lrs[e], "train_loss": vals[e]})
        for s in slots:
            s.step += 1
            if progress and (s.step % 10 == 0):
                for m in s.members:
                    progress(m.cfg.key(), s.step, m.cfg.steps)
        ev_idx = [e for e, s in enumerate(slots) if _eval_now(s)]
        if ev_idx:
            for e, ev in zip(ev_idx, evaluate_slots(ev_idx), strict=True):
                log(slots[e], {"step": slots[e].step - 1, "eval": ev})
    return results  # type: ignore[return-value]


def _log_now(slot: _Slot) -> bool:
    """Loss logged at ``step % log_every == 0`` and at the run's last step."""
    m = slot.members[0]
    every = m.cfg.log_every
    return bool(every and slot.step % every == 0) or (
        len(slot.members) == 1 and slot.step == m.cfg.steps - 1
    )


def _eval_now(slot: _Slot) -> bool:
    """Evaluation after the update of step ``s`` when ``s % eval_every == 0`` (before the last
    step; WSD siblings in one trunk follow the shortest one's ``eval_every``)."""
    m = slot.members[0]
    s, every = slot.step - 1, m.cfg.eval_every
    return bool(every) and s > 0 and s % every == 0 and slot.step < m.cfg.steps


__all__ = ["check_group", "train_ensemble"]
