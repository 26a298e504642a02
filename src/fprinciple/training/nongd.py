"""Training a torch module without gradient descent: scipy's CG, BFGS, L-BFGS-B and Powell, and
nevergrad's particle swarm, on the module's flattened parameters (fp_nongd; MXZ21).

CG and (L-)BFGS use the gradient (from autograd) but not gradient-descent steps; Powell and the
swarm use loss values only. Each method's own iteration is the clock: after every iteration the
current parameters (scipy's iterate, the swarm's best particle) are loaded into the module and the
hooks are called, with the same ``hook(iteration, model, last)`` signature and the same tidy
records (step, learner, metric, key, value) as the gradient trainer, for the trained module and
for the negative controls passed in, so the gradient experiments' hooks apply unchanged (the 1-D
spectral hook feeds float32 inputs: pair it with a float32 module). Every logged
iteration also records ``train_loss`` and, for the trained module, ``evaluations`` (objective
calls so far, line-search trials and every particle included; for CG/BFGS each call also
computes the gradient). With ``log_every_evaluations`` the clock is the evaluation count instead:
the best parameters found so far are logged every that many calls (step = evaluations, and the
trained module also records ``iterations``), for Powell, whose iteration is a whole sweep of line
searches.

Resuming: scipy's minimizers keep their state (Hessian approximation, search directions) inside
one call and expose no way to restart from it, so there is no checkpoint. Instead a run is a
deterministic function of the module's initial parameters and ``seed`` (the swarm's only source of
randomness): a job killed and restarted from scratch logs exactly the same records. That holds
for a fixed torch thread count; float64 reductions may round differently with another.

Why nevergrad for the swarm: maintained by Meta Research (1.0.12, 2025), on PyPI and conda-forge,
an ask/tell interface that lets us count evaluations and log per swarm iteration, and all its
randomness comes from the parametrization's seeded ``RandomState``. pyswarms has had no release
since 2021; pymoo's PSO (maintained, vectorised) was no faster per particle here and fitted no
better. We use nevergrad's real-space PSO (``ConfPSO()``, SPSO-2011 constants): its default
"PSO" maps the space through arctan, whose far tails sent particles to 1e16-sized weights.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.optimize
import torch
from threadpoolctl import threadpool_limits
from torch import nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from ..learners import TRAINED
from .context import RunContext
from .controls import Control
from .timing import LoopTiming, Stopwatch, logging_points
from .trainer import Hook, Stop, TrainingDiverged, records_frame

GRADIENT_METHODS = ("cg", "bfgs", "l-bfgs-b")
DERIVATIVE_FREE_METHODS = ("powell", "pso")
METHODS = GRADIENT_METHODS + DERIVATIVE_FREE_METHODS

# The loss as a function of the module (data bound in the closure), a scalar tensor.
Objective = Callable[[nn.Module], torch.Tensor]


@dataclass(frozen=True)
class NonGDSpec:
    method: str  # one of METHODS
    max_iterations: int
    # Objective calls allowed, checked after each iteration (so a run may overshoot by the calls of
    # one iteration: a line search, a Powell sweep of line searches, a swarm pass).
    max_evaluations: int | None = None
    loss_threshold: float | None = None  # stop after the first iteration whose loss is below
    log_every: int = 1  # iterations; iteration 0 (the initial parameters) and the last are always logged
    # If set, the clock is objective evaluations instead of iterations: the best parameters found so
    # far are logged every this many evaluations, with step = evaluations (log_every is unused).
    # Powell's iteration is a sweep of line searches over every parameter (~20 evaluations each),
    # too coarse a clock to tell apart peaks that fall below a threshold within one sweep.
    log_every_evaluations: int | None = None
    swarm_size: int = 40  # PSO particles; one PSO iteration = swarm_size evaluations
    swarm_sigma: float = 1.0  # PSO: std of the initial particles around the initial parameters
    options: Mapping[str, float] = field(default_factory=dict)  # extra scipy options (gtol, xtol, ...)


@dataclass
class NonGDResult:
    records: pd.DataFrame  # columns step (= iteration, or evaluations), metric, key, value, learner
    iterations: int
    evaluations: int
    # "max_iterations", "max_evaluations", "loss_threshold", "converged" (scipy's own tolerance),
    # "answered" (the run's stop rule) or "max_steps" (truncated by the context: a rehearsal)
    stopped_by: str
    message: str  # scipy's message ("converged" covers its tolerances and precision-loss stops)
    final_loss: float
    wall_s: float
    # Its steps are objective evaluations (what a run spends, and Powell's binding cap); the plan
    # is max_evaluations or max_iterations × the evaluations per iteration this run measured.
    timing: LoopTiming | None = None


def trainable_parameters(model: nn.Module) -> list[nn.Parameter]:
    """The parameters the optimizer moves: those that require grad, in module order."""
    return [p for p in model.parameters() if p.requires_grad]


def parameters_vector(model: nn.Module) -> np.ndarray:
    """The trainable parameters as one float64 numpy vector (module order)."""
    with torch.no_grad():
        vec = parameters_to_vector(trainable_parameters(model))
    return vec.detach().cpu().numpy().astype(np.float64)


def load_parameters(model: nn.Module, theta: np.ndarray) -> None:
    """Write the flat vector `theta` into the module's trainable parameters (their dtype, device)."""
    params = trainable_parameters(model)
    ref = params[0]
    with torch.no_grad():
        vector_to_parameters(torch.as_tensor(theta, dtype=ref.dtype, device=ref.device), params)


# An elementwise activation in numpy and its derivative as a function of its output.
_NUMPY_ACTIVATIONS = {
    nn.Tanh: (np.tanh, lambda h: 1.0 - h * h),
    nn.ReLU: (lambda z: np.maximum(z, 0.0), lambda h: (h > 0).astype(h.dtype)),
    nn.Sigmoid: (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda h: h * (1.0 - h)),
}


class FlatMSE:
    """The mean squared error of a fully connected net (``nn.Linear`` layers with tanh, ReLU or
    sigmoid between them, the ``models.MLP`` layout) as a numpy function of its flat trainable
    parameters (``parameters_vector`` order), with the gradient by backpropagation.

    Why not the module: scipy and the swarm call the objective up to 10⁵ times on a net of a few
    hundred parameters, where loading the vector into the module and its dispatch cost ~0.15 ms a
    call against ~15 µs here; the values are the module's up to float64 round-off (tested).
    ``of(model, x, y)`` returns None for a net of another layout (then the module is used).
    """

    def __init__(self, layers: list[tuple[int, int, bool, object]], x: np.ndarray, y: np.ndarray):
        self.layers, self.x, self.y = layers, x, y

    @classmethod
    def of(cls, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> FlatMSE | None:
        modules = list(model.net) if hasattr(model, "net") and isinstance(model.net, nn.Sequential) else None
        if not modules or not all(p.requires_grad for p in model.parameters()):
            return None
        layers = []  # (out, in, bias, activation after it or None)
        for i, module in enumerate(modules):
            if isinstance(module, nn.Linear):
                following = modules[i + 1] if i + 1 < len(modules) else None
                if following is not None and type(following) not in _NUMPY_ACTIVATIONS:
                    return None
                layers.append(
                    (
                        module.out_features,
                        module.in_features,
                        module.bias is not None,
                        _NUMPY_ACTIVATIONS[type(following)] if following is not None else None,
                    )
                )
            elif type(module) not in _NUMPY_ACTIVATIONS:
                return None
        return cls(layers, *(t.detach().cpu().numpy().astype(np.float64) for t in (x, y)))

    def _weights(self, theta: np.ndarray):
        at = 0
        for out, into, bias, activation in self.layers:
            w = theta[at : at + out * into].reshape(out, into)
            at += out * into
            b = theta[at : at + out] if bias else None
            at += out if bias else 0
            yield w, b, activation

    def __call__(self, theta: np.ndarray, gradient: bool = False):
        h, tape = self.x, []
        for w, b, activation in self._weights(theta):
            tape.append((h, w, b, activation))
            h = h @ w.T
            if b is not None:
                h = h + b
            if activation is not None:
                h = activation[0](h)
            tape[-1] += (h,)
        residual = h - self.y
        loss = float(np.mean(residual * residual))
        if not gradient:
            return loss
        grads, delta = [], 2.0 * residual / residual.size
        for h_in, w, b, activation, h_out in reversed(tape):
            if activation is not None:
                delta = delta * activation[1](h_out)
            grads.append(delta.sum(axis=0) if b is not None else None)
            grads.append((delta.T @ h_in).ravel())
            delta = delta @ w
        flat = [g for g in reversed(grads) if g is not None]
        return loss, np.concatenate(flat)


class _CountedObjective:
    """The loss of the module at a flat parameter vector, counting every call and keeping the
    best parameters seen; every `every` calls it hands (evaluations, best theta, best loss) to
    `on_due` (the evaluation clock)."""

    def __init__(
        self,
        model: nn.Module,
        objective: Objective,
        with_gradient: bool,
        every: int | None = None,
        on_due: Callable[[int, np.ndarray, float], None] | None = None,
        flat: FlatMSE | None = None,
    ):
        self.model, self.objective, self.with_gradient, self.flat = model, objective, with_gradient, flat
        self.params = trainable_parameters(model)
        self.evaluations = 0
        self.every, self.on_due = every, on_due
        self.best_theta, self.best_loss = None, np.inf

    def __call__(self, theta: np.ndarray):
        self.evaluations += 1
        if self.flat is not None:
            out = self.flat(theta, gradient=self.with_gradient)
            loss = out[0] if self.with_gradient else out
        else:
            out, loss = self._module(theta)
        if loss < self.best_loss:
            self.best_theta, self.best_loss = np.array(theta, dtype=np.float64), loss
        if self.every and self.evaluations % self.every == 0:
            self.on_due(self.evaluations, self.best_theta, self.best_loss)
        return out

    def _module(self, theta: np.ndarray):
        load_parameters(self.model, theta)
        if not self.with_gradient:
            with torch.no_grad():
                loss = float(self.objective(self.model))
            out = loss
        else:
            tensor = self.objective(self.model)
            grads = torch.autograd.grad(tensor, self.params)
            flat = torch.cat([g.reshape(-1) for g in grads]).detach().cpu().numpy().astype(np.float64)
            loss = float(tensor.detach())
            out = loss, flat
        return out, loss


def minimize_module(
    model: nn.Module,
    objective: Objective,
    spec: NonGDSpec,
    ctx: RunContext,
    hooks: Iterable[Hook] = (),
    seed: int = 0,
    controls: Mapping[str, Control] | None = None,
    flat: FlatMSE | None = None,
    stop: Stop | None = None,
) -> NonGDResult:
    """Minimize `objective(model)` over the module's trainable parameters with `spec.method`.

    The module ends holding the final parameters; it runs in its own dtype. Prefer float64:
    scipy's line searches and Powell's bracketing assume double-precision losses (on the 1-D
    target with a 1-16-1 tanh net, float32 CG/BFGS still reach 5% relative error, but Powell
    stalls at 13% where float64 reaches 5% in 2.1e5 evaluations). `seed` seeds the swarm; scipy's
    methods are deterministic given the initial parameters. `controls` (e.g. ``controls.standard(model, y,
    "mse")``, built before this call so that ``frozen`` is the initial net) are logged through the
    same hooks, with ``objective(control)`` as their train_loss. `ctx` gives the progress bar and
    truncates ``max_iterations`` to ``ctx.max_steps``; its checkpoint is not used (see above).
    `flat`, the same objective as a function of the flat parameters (``FlatMSE``), replaces the
    module in the optimizer's calls; logging still goes through the module. `stop` (the trainer's
    ``Stop``) may end the run after an iteration once what was logged answers the run's question.
    """
    if spec.method not in METHODS:
        raise ValueError(f"unknown method {spec.method!r}; allowed: {list(METHODS)}")
    max_iterations = ctx.steps(spec.max_iterations)
    if max_iterations < 1:
        raise ValueError(f"max_iterations must be >= 1, got {spec.max_iterations}")
    hooks = list(hooks)
    learners = dict(controls or {})
    by_evaluations = spec.log_every_evaluations is not None
    counted = _CountedObjective(
        model,
        objective,
        spec.method in GRADIENT_METHODS,
        spec.log_every_evaluations,
        on_due=lambda evaluations, theta, loss: log(evaluations, theta, loss, last=False),
        flat=flat,
    )
    records: list[tuple[int, str, str, np.ndarray, np.ndarray]] = []
    state = {"iteration": 0, "logged": -1, "first_record": 0, "stopped_by": None}
    bar = ctx.progress_bar(total=max_iterations, unit="it")

    def log(step: int, theta: np.ndarray, loss: float, last: bool) -> None:
        """Log the module at `theta` as `step` (the iteration, or the evaluations so far)."""
        with watch.logging():
            measure(step, theta, loss, last)

    def measure(step: int, theta: np.ndarray, loss: float, last: bool) -> None:
        if not np.isfinite(loss):
            raise TrainingDiverged(f"{ctx.desc}: {spec.method} loss became {loss} by iteration {state['iteration']}")
        if step == state["logged"]:  # re-logged as the last one: replace, not duplicate
            del records[state["first_record"] :]
        state["first_record"] = len(records)
        load_parameters(model, theta)
        nan = np.array([np.nan])
        records.append((step, TRAINED, "evaluations", nan, np.array([float(counted.evaluations)])))
        if by_evaluations:
            records.append((step, TRAINED, "iterations", nan, np.array([float(state["iteration"])])))
        for name, learner in [(TRAINED, model), *learners.items()]:
            net = learner if name == TRAINED else learner.at(step)
            if name != TRAINED:
                with torch.no_grad():
                    loss = float(objective(net))
            records.append((step, name, "train_loss", nan, np.array([loss])))
            for hook in hooks:
                for metric, key, value in hook(step, net, last):
                    value = np.atleast_1d(np.asarray(value, dtype=np.float64))
                    key = np.broadcast_to(np.asarray(key, dtype=np.float64), value.shape)
                    records.append((step, name, metric, key, value))
        state["logged"] = step

    def after_iteration(theta: np.ndarray, loss: float) -> bool:
        """Log if due; True when a stopping rule of ours fires."""
        state["iteration"] += 1
        iteration = state["iteration"]
        bar.update()
        if spec.loss_threshold is not None and loss < spec.loss_threshold:
            state["stopped_by"] = "loss_threshold"
        elif stop is not None and stop(records):
            state["stopped_by"] = "answered"
        elif iteration >= max_iterations:
            state["stopped_by"] = "max_iterations" if max_iterations == spec.max_iterations else "max_steps"
        elif spec.max_evaluations is not None and counted.evaluations >= spec.max_evaluations:
            state["stopped_by"] = "max_evaluations"
        stopping = state["stopped_by"] is not None
        if stopping:
            log(counted.evaluations if by_evaluations else iteration, theta, loss, last=True)
        elif not by_evaluations and iteration % spec.log_every == 0:
            log(iteration, theta, loss, last=False)
        return stopping

    theta0 = parameters_vector(model)
    watch = Stopwatch()
    with torch.no_grad():
        log(0, theta0, float(objective(model)), last=False)
    # The optimizers' own linear algebra is on vectors of a few hundred entries, where BLAS threads
    # only add synchronisation: L-BFGS-B ran 3-10x slower with 2 OpenBLAS threads on 2 busy cores.
    with threadpool_limits(limits=1, user_api="blas"):
        if spec.method == "pso":
            theta, final_loss, message = _swarm(counted, theta0, spec, seed, after_iteration)
        else:
            theta, final_loss, message = _scipy(counted, theta0, spec, max_iterations, after_iteration)
    if state["stopped_by"] is None:  # scipy ended on its own tolerance: log its last iterate as last
        log(counted.evaluations if by_evaluations else state["iteration"], theta, final_loss, last=True)
    load_parameters(model, theta)
    bar.close()
    stopped_by = state["stopped_by"]
    if stopped_by is None:
        spent = spec.max_evaluations is not None and counted.evaluations >= spec.max_evaluations
        stopped_by = "max_evaluations" if spent else "converged"
    per_iteration = counted.evaluations / max(state["iteration"], 1)
    planned = spec.max_iterations * per_iteration
    if spec.max_evaluations is not None:
        planned = min(planned, spec.max_evaluations)
    if by_evaluations:
        planned_logs = int(planned) // spec.log_every_evaluations + 2  # and iteration 0 and the last
    else:
        planned_logs = logging_points(spec.max_iterations, spec.log_every)
    # scipy's methods may also stop on their own tolerances; the swarm only on ours.
    timing = watch.timing(
        counted.evaluations,
        round(planned),
        planned_logs,
        may_stop_early=spec.loss_threshold is not None or stop is not None or spec.method != "pso",
    )
    return NonGDResult(
        records=records_frame(records),
        iterations=state["iteration"],
        evaluations=counted.evaluations,
        stopped_by=stopped_by,
        message=message,
        final_loss=final_loss,
        wall_s=timing.wall_s,
        timing=timing,
    )


def _scipy(counted: _CountedObjective, theta0: np.ndarray, spec: NonGDSpec, max_iterations: int, after_iteration):
    """One scipy.optimize.minimize call; our rules stop it through StopIteration in the callback."""
    # The callback enforces every cap (maxiter only bounds scipy in case it calls back less often);
    # L-BFGS-B's own default maxfun (15000) would otherwise cut long runs short.
    options = {"maxiter": max_iterations, **spec.options}
    if spec.method == "l-bfgs-b":
        options.setdefault("maxfun", np.iinfo(np.int32).max)

    def callback(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        if after_iteration(np.array(intermediate_result.x, dtype=np.float64), float(intermediate_result.fun)):
            raise StopIteration

    result = scipy.optimize.minimize(
        counted,
        theta0,
        method=spec.method,
        jac=spec.method in GRADIENT_METHODS,
        callback=callback,
        options=options,
    )
    return np.asarray(result.x, dtype=np.float64), float(result.fun), str(result.message)


def _swarm(counted: _CountedObjective, theta0: np.ndarray, spec: NonGDSpec, seed: int, after_iteration):
    """nevergrad's PSO through ask/tell, one iteration per swarm_size evaluations.

    Particles start at theta0 + swarm_sigma * N(0, I). The logged parameters are the swarm's
    global best, tracked here as PSO itself does (every told loss below the best replaces it).
    Imported here: nevergrad takes ~2 s to import, and only this method needs it.
    """
    import nevergrad as ng

    parametrization = ng.p.Array(init=theta0).set_mutation(sigma=spec.swarm_sigma)
    parametrization.random_state = np.random.RandomState(seed)
    optimizer = ng.optimizers.ConfPSO(popsize=spec.swarm_size)(parametrization=parametrization, num_workers=1)
    best_theta, best_loss = theta0, np.inf
    while True:
        for _ in range(spec.swarm_size):
            candidate = optimizer.ask()
            loss = counted(candidate.value)
            optimizer.tell(candidate, loss)
            if loss < best_loss:
                best_theta, best_loss = np.array(candidate.value, dtype=np.float64), loss
        if after_iteration(best_theta, best_loss):
            return best_theta, best_loss, "particle swarm: stopped by the spec's limits"
