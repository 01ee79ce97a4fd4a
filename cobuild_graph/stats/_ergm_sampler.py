"""Metropolis–Hastings sampling of networks from an ERGM, with TNT proposals.

The tie/no-tie proposal (Morris, Handcock & Hunter 2008, *J. Stat. Softw.* 24(4)) picks,
with probability ½, one of the present ties (to remove it) and otherwise a dyad (to
toggle it), so that sparse networks, whose dyads are nearly all empty, are not proposed
mostly additions. statnet draws that dyad uniformly; here it is drawn with probabilities
`proposal` (uniform by default; :func:`cobuild_graph.stats.ergm` mixes the uniform half
and half with the dyads' tie probabilities under the MPLE), so that a kind of dyad that
is rare but often tied (the same street) is proposed about as often as it is tied, and
its count mixes as fast as the rest instead of lagging far behind. The acceptance ratio carries
the proposal's probabilities both ways, so the chain's target is the same.

The loop is plain Python over the dyads' indices, with the random numbers drawn in
numpy blocks. A dyad-independent statistic enters it only through the dyad's summed
``θ · x`` (computed once per parameter); a dyad-dependent one through its change
function, on neighbour sets updated tie by tie. The statistics of the sampled networks
are rebuilt after the loop from the accepted toggles (cumulative sums in numpy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cobuild_graph.stats._ergm_network import Network
from cobuild_graph.stats._ergm_terms import State, Statistic

_BLOCK = 1 << 16


class TooDenseError(RuntimeError):
    """A chain grew past the tie count that marks a degenerate model."""


@dataclass(frozen=True)
class Draw:
    """What one chain gives: the statistics of its sampled networks, and where it ended."""

    stats: np.ndarray  # size × statistics
    ties: np.ndarray  # the chain's last network, as dyad indices
    networks: list[np.ndarray] | None  # the sampled networks' ties, if asked
    accepted: float  # the share of proposals accepted


@dataclass(frozen=True)
class Sampler:
    """Samples networks of `net` under the statistics `stats`."""

    net: Network
    stats: list[Statistic]
    cap: int  # a chain with more ties than this is stopped (degeneracy)
    proposal: np.ndarray | None = None  # the dyads' probabilities, uniform when None

    def run(
        self,
        theta: np.ndarray,
        ties: np.ndarray,
        start: np.ndarray,
        *,
        burnin: int,
        interval: int,
        size: int,
        rng: np.random.Generator,
        keep: bool = False,
    ) -> Draw:
        """`size` networks, `interval` proposals apart after `burnin`, from the network
        `ties` whose statistics are `start`, at the parameter `theta` (``-inf`` allowed)."""
        net, stats = self.net, self.stats
        independent = [k for k, s in enumerate(stats) if s.column is not None]
        dependent = [k for k, s in enumerate(stats) if s.dependent is not None]
        eta0 = self.eta(theta, independent).tolist()
        state = State(net, ties)
        nbrs = state.nbrs
        changes = [(stats[k].dependent(state), float(theta[k])) for k in dependent]  # type: ignore[misc]
        rows, cols = (e.tolist() for e in net.ends())
        directed, cap = net.directed, self.cap
        D = net.size
        weights = np.full(D, 1.0 / D) if self.proposal is None else self.proposal
        cumulative = np.cumsum(weights)
        pi = weights.tolist()
        tied = [int(d) for d in ties]
        where = {d: k for k, d in enumerate(tied)}
        toggled: list[int] = []
        signs: list[int] = []
        dep_changes: list[list[float]] = []
        marks: list[int] = []
        networks: list[np.ndarray] | None = [] if keep else None
        total = burnin + interval * size
        until = burnin + interval  # proposals until the next sampled network
        exp = math.exp
        for first in range(0, total, _BLOCK):
            count = min(_BLOCK, total - first)
            # whole blocks, so that a longer run with the same seed begins as a shorter one
            branch, pick, accept = (rng.random(_BLOCK)[:count] for _ in range(3))
            dyads = np.minimum(
                np.searchsorted(cumulative, pick * cumulative[-1], side="right"), D - 1
            ).tolist()
            branch, pick, accept = branch.tolist(), pick.tolist(), accept.tolist()
            for t in range(count):
                E = len(tied)
                if E and branch[t] < 0.5:
                    d = tied[int(pick[t] * E)]
                    present = True
                else:
                    d = dyads[t]
                    present = d in where
                i, j = rows[d], cols[d]
                eta = eta0[d]
                values = []
                for f, th in changes:
                    c = f(i, j, present)
                    values.append(c)
                    if c:
                        eta += th * c
                # the Metropolis–Hastings ratio, times the proposals' back / forward
                p_d = pi[d]
                if present:
                    ratio = (0.5 * p_d if E > 1 else p_d) / (0.5 / E + 0.5 * p_d)
                    ratio = ratio * exp(-eta) if eta > -700 else math.inf
                else:
                    ratio = (0.5 / (E + 1) + 0.5 * p_d) / (0.5 * p_d if E else p_d)
                    ratio = ratio * exp(eta) if eta < 700 else math.inf
                if accept[t] < ratio:
                    if present:
                        k = where.pop(d)
                        last = tied.pop()
                        if last != d:
                            tied[k] = last
                            where[last] = k
                        signs.append(-1)
                    else:
                        where[d] = len(tied)
                        tied.append(d)
                        signs.append(1)
                        if len(tied) > cap:
                            raise TooDenseError(len(tied))
                    # State.toggle written out: the innermost loop saves a call per toggle
                    if present:
                        nbrs[i].discard(j)
                        if not directed:
                            nbrs[j].discard(i)
                    else:
                        nbrs[i].add(j)
                        if not directed:
                            nbrs[j].add(i)
                    toggled.append(d)
                    dep_changes.append(values)
                until -= 1
                if until == 0:
                    until = interval
                    marks.append(len(toggled))
                    if networks is not None:
                        networks.append(np.array(sorted(tied), dtype=np.int64))
        sampled = self._rebuild(start, independent, dependent, toggled, signs, dep_changes, marks)
        return Draw(
            sampled,
            np.array(sorted(tied), dtype=np.int64),
            networks,
            len(toggled) / max(total, 1),
        )

    def eta(self, theta: np.ndarray, independent: list[int]) -> np.ndarray:
        """``θ · x`` at every dyad over the dyad-independent statistics (``-inf`` where a
        statistic fixed at ``-inf`` would grow)."""
        eta = np.zeros(self.net.size)
        for k in independent:
            column = self.stats[k].column
            assert column is not None
            if np.isneginf(theta[k]):
                eta[column > 0] = -np.inf
            else:
                eta += theta[k] * column
        return eta

    def _rebuild(
        self,
        start: np.ndarray,
        independent: list[int],
        dependent: list[int],
        toggled: list[int],
        signs: list[int],
        dep_changes: list[list[float]],
        marks: list[int],
    ) -> np.ndarray:
        steps = np.zeros((len(toggled) + 1, len(self.stats)))
        if toggled:
            sign = np.array(signs, dtype=float)[:, None]
            index = np.array(toggled, dtype=np.int64)
            for k in independent:
                column = self.stats[k].column
                assert column is not None
                steps[1:, k] = column[index] * sign[:, 0]
            if dependent:
                steps[1:, dependent] = np.array(dep_changes, dtype=float) * sign
        cumulative = np.cumsum(steps, axis=0)
        return start + cumulative[np.array(marks, dtype=np.int64)]
