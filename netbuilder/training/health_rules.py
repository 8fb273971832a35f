"""The rules that turn per-layer health readings into warnings a user can act on.

Training health is measured by `health.HealthCallback` (weight and gradient
norms, how much the weights moved, which ReLU layers still pass anything) and
judged here, in plain Python with no Keras, so the thresholds are tested fast
and read in one place. Each kind of warning is given once per layer and run:
a warning repeated every few batches would drown the one that matters.

The thresholds are deliberately far from what healthy training shows (the
bundled examples stay silent with a wide margin, tests check it):
- dead ReLU: every output of the layer is zero for the whole sample batch;
- exploding gradients: a norm turned NaN or infinite, or the gradient norm of
  the whole model grew a thousandfold over the first check;
- vanishing gradients: a layer's gradient norm stayed below a ten-thousandth
  of the median layer's for `PATIENCE` checks in a row;
- a layer that does not learn: its weights moved by less than a millionth of
  their size between checks, `PATIENCE` checks in a row.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from netbuilder.training.events import HealthCheck, HealthWarning, LayerHealth

PATIENCE = 3  # checks in a row before a slow trend (vanishing, not learning) is reported
EXPLODE_GROWTH = 1e3  # "orders of magnitude": the whole model's gradient norm over its first value
VANISH_RATIO = 1e-4  # a layer's gradient norm under this fraction of the median layer's
STILL_RATIO = 1e-6  # relative weight change between checks under which a layer counts as not learning


def _where(check: HealthCheck) -> str:
    return f"epoch {check.epoch}, batch {check.batch}" if check.batch else f"the end of epoch {check.epoch}"


def global_norm(layers: dict[str, LayerHealth]) -> float:
    """The gradient norm of the whole model, from the per-layer ones."""
    return math.sqrt(sum(h.grad_norm ** 2 for h in layers.values()))


@dataclass
class HealthWatch:
    """Reads one `HealthCheck` after another and says what went wrong, each thing once."""

    warned: set[tuple[str, str]] = field(default_factory=set)
    warnings: list[HealthWarning] = field(default_factory=list)
    _first_norm: float | None = None
    _vanishing: dict[str, int] = field(default_factory=dict)
    _still: dict[str, int] = field(default_factory=dict)
    _dead: set[str] = field(default_factory=set)

    def observe(self, check: HealthCheck) -> list[HealthWarning]:
        """The warnings this check raises that were not given before."""
        found: list[HealthWarning] = []
        self._dead_relus(check, found)
        if not self._exploding(check, found):
            self._vanishing_gradients(check, found)
            self._not_learning(check, found)
        self.warnings += found
        return found

    def _add(self, found: list[HealthWarning], kind: str, layer: str, message: str,
             once_per_model: bool = False) -> None:
        """Give the warning unless given before for this layer (for the whole model: `once_per_model`)."""
        key = (kind, "" if once_per_model else layer)
        if key not in self.warned:
            self.warned.add(key)
            found.append(HealthWarning(kind, layer, message))

    def _dead_relus(self, check: HealthCheck, found: list[HealthWarning]) -> None:
        for name, h in check.layers.items():
            if h.active_fraction == 0.0:
                self._dead.add(name)
                self._add(found, "dead_relu", name, (
                    f"Layer '{name}' outputs only zeros for a sample batch at {_where(check)} (a dead ReLU): "
                    "it passes nothing on and its weights stop learning. Try a lower learning rate, LeakyReLU "
                    "instead of ReLU, or He initialisation (kernel_initializer 'he_normal')."))

    def _exploding(self, check: HealthCheck, found: list[HealthWarning]) -> bool:
        broken = [name for name, h in check.layers.items()
                  if not (math.isfinite(h.grad_norm) and math.isfinite(h.weight_norm))]
        if broken:
            self._add(found, "exploding", broken[0], (
                f"Exploding gradients: the gradients or weights of layer '{broken[0]}' became NaN or infinite "
                f"at {_where(check)}. Try a lower learning rate, gradient clipping (clipnorm) or "
                "BatchNormalization between the layers."), once_per_model=True)
            return True
        total = global_norm(check.layers)
        if self._first_norm is None:
            self._first_norm = total
            return False
        if self._first_norm > 0 and total >= EXPLODE_GROWTH * self._first_norm:
            worst = max(check.layers, key=lambda n: check.layers[n].grad_norm)
            self._add(found, "exploding", worst, (
                f"Exploding gradients: the model's gradient norm grew {total / self._first_norm:,.0f}-fold since "
                f"training began (to {total:.3g} at {_where(check)}), largest in layer '{worst}'. Try a lower "
                "learning rate, gradient clipping (clipnorm) or smaller initial weights."), once_per_model=True)
            return True
        return False

    def _vanishing_gradients(self, check: HealthCheck, found: list[HealthWarning]) -> None:
        # A layer without weights (a ReLU layer watched for dead units) has no gradient of its own.
        norms = {n: h.grad_norm for n, h in check.layers.items() if n not in self._dead and h.weight_norm > 0}
        if len(norms) < 2:
            return
        median = statistics.median(norms.values())
        for name, norm in norms.items():
            low = median > 0 and norm < VANISH_RATIO * median
            self._vanishing[name] = self._vanishing.get(name, 0) + 1 if low else 0
            if self._vanishing[name] >= PATIENCE:
                self._add(found, "vanishing", name, (
                    f"Vanishing gradients: layer '{name}' gets a gradient {median / max(norm, 1e-300):,.0g} "
                    f"times smaller than the median layer's, {PATIENCE} checks in a row (at {_where(check)}), so "
                    "it hardly learns. Try ReLU-like activations instead of sigmoid or tanh, He initialisation, "
                    "BatchNormalization, or residual (Add) connections around deep stacks."))

    def _not_learning(self, check: HealthCheck, found: list[HealthWarning]) -> None:
        for name, h in check.layers.items():
            if h.update_ratio is None or name in self._dead:
                continue  # first check, or a dead ReLU, whose warning already says it cannot learn
            self._still[name] = self._still.get(name, 0) + 1 if h.update_ratio < STILL_RATIO else 0
            if self._still[name] >= PATIENCE:
                self._add(found, "not_learning", name, (
                    f"Layer '{name}' does not learn: its weights have not changed over the last {PATIENCE} checks "
                    f"(at {_where(check)}). Check that the learning rate is not zero and that the layers after it "
                    "pass gradients back (a dead ReLU passes none)."))
