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

The loop is compiled (:mod:`cobuild_graph.stats._ergm_kernel`, numba), block by block;
the random numbers are drawn here in numpy blocks. A dyad-independent statistic enters it
only through the dyad's summed ``θ · x`` (computed once per parameter); a dyad-dependent
one through its change statistic, on the network's arrays updated tie by tie. The
statistics of the sampled networks are rebuilt after the loop from the accepted toggles
(cumulative sums in numpy), and so are the sampled networks when they are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cobuild_graph.stats._ergm_network import Network
from cobuild_graph.stats._ergm_terms import Statistic, pack

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
        from cobuild_graph.stats import _ergm_kernel  # numba, on first use only

        net, stats = self.net, self.stats
        independent = [k for k, s in enumerate(stats) if s.column is not None]
        dependent = [k for k, s in enumerate(stats) if s.dependent is not None]
        eta0 = self.eta(theta, independent)
        packed = pack(net, stats).arrays()
        rows, cols = net.ends()
        ties = np.asarray(ties, dtype=np.int64)
        adj, nbr, deg = _ergm_kernel.state(net.n, rows, cols, ties, net.directed)
        D = net.size
        weights = np.full(D, 1.0 / D) if self.proposal is None else self.proposal
        cumulative = np.cumsum(weights)
        columns = np.zeros((D, len(independent)))
        for a, k in enumerate(independent):
            columns[:, a] = stats[k].column
        tied = np.zeros(min(D, self.cap + 1), dtype=np.int64)
        tied[: len(ties)] = ties
        where = np.full(D, -1, dtype=np.int32)  # each dyad's place in `tied`
        where[ties] = np.arange(len(ties), dtype=np.int32)
        n_tied = len(ties)
        acc = np.zeros(len(stats))  # the statistics' changes so far
        start = np.asarray(start, dtype=float)
        toggled, sampled, marks = [], [], []
        total = burnin + interval * size
        until = burnin + interval  # proposals until the next sampled network
        done = 0  # toggles so far
        for first in range(0, total, _BLOCK):
            count = min(_BLOCK, total - first)
            # whole blocks, so that a longer run with the same seed begins as a shorter one
            branch, pick, accept = (rng.random(_BLOCK)[:count] for _ in range(3))
            block = (
                np.empty(count, dtype=np.int64),
                np.empty((count, len(stats))),
                np.empty(count, dtype=np.int64),
            )
            n_tied, until, accepted, marked, dense = _ergm_kernel.run_block(
                adj, nbr, deg, tied, where, n_tied, acc, rows, cols, net.directed, eta0,
                weights, cumulative, theta[dependent].astype(float), columns,
                np.array(independent, dtype=np.int64), np.array(dependent, dtype=np.int64),
                *packed, start, branch, pick, accept, until, interval, self.cap, *block, done,
            )  # fmt: skip
            if dense:
                raise TooDenseError(n_tied)
            toggled.append(block[0][:accepted])
            sampled.append(block[1][:marked])
            marks.append(block[2][:marked])
            done += accepted
        networks = self._networks(ties, _cat(toggled), _cat(marks)) if keep else None
        return Draw(
            np.concatenate(sampled) if sampled else np.zeros((0, len(stats))),
            np.sort(tied[:n_tied]),
            networks,
            done / max(total, 1),
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

    def _networks(
        self, ties: np.ndarray, toggled: np.ndarray, marks: np.ndarray
    ) -> list[np.ndarray]:
        """The sampled networks' ties: the first network's, toggled up to each mark."""
        present = np.zeros(self.net.size, dtype=bool)
        present[ties] = True
        out, done = [], 0
        for mark in marks.tolist():
            np.logical_xor.at(present, toggled[done:mark].astype(np.int64), True)
            done = mark
            out.append(np.flatnonzero(present))
        return out


def _cat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays).astype(np.int64) if arrays else np.zeros(0, dtype=np.int64)
