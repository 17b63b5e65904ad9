"""Leading eigenvalues of a real linear operator known only through matrix-vector products.

Restarted Arnoldi (Saad, "Numerical Methods for Large Eigenvalue Problems", ch. 6): build an
orthonormal Krylov basis of `krylov` vectors with Gram-Schmidt applied twice (one pass loses
orthogonality in float64 after a few dozen steps), take the eigenvalues of the small Hessenberg
matrix (Ritz values), and while the wanted ones have not converged, restart from a combination of
their Ritz vectors. Plain numpy, float64, deterministic for a given start vector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class ArnoldiResult:
    values: np.ndarray  # (k,) complex Ritz values, largest modulus first
    residuals: np.ndarray  # (k,) estimated ||A x - lambda x|| of each (unit Ritz vector)
    matvecs: int  # operator applications used
    converged: bool  # all k residuals below tol * (largest |value|)


def arnoldi_eigs(
    matvec: Callable[[np.ndarray], np.ndarray],
    n: int,
    k: int = 8,
    krylov: int = 30,
    restarts: int = 3,
    tol: float = 1e-6,
    seed: int = 0,
) -> ArnoldiResult:
    """The k eigenvalues of largest modulus of the n x n operator `matvec`.

    Each pass costs `krylov` products; at most `restarts` further passes are made while the k
    residual estimates exceed tol times the spectral radius. With krylov >= n the basis spans the
    whole space and the answer is exact (to rounding).
    """
    k = max(1, min(k, n))
    m = max(k + 2, min(krylov, n))
    v0 = np.random.default_rng(seed).standard_normal(n)
    used = 0
    for _ in range(restarts + 1):
        values, residuals, vectors, steps = _arnoldi_pass(matvec, v0, m)
        used += steps
        order = np.argsort(-np.abs(values), kind="stable")[:k]
        values, residuals, vectors = values[order], residuals[order], vectors[:, order]
        scale = max(float(np.abs(values).max(initial=0.0)), 1e-300)
        if steps < m or bool((residuals <= tol * scale).all()):
            # steps < m: the Krylov space is invariant, so its Ritz values are exact eigenvalues
            return ArnoldiResult(values, residuals, used, True)
        # Restart from the wanted Ritz vectors (a real vector: real and imaginary parts together)
        v0 = (vectors.real + vectors.imag).sum(axis=1)
    return ArnoldiResult(values, residuals, used, False)


def _arnoldi_pass(matvec, v0: np.ndarray, m: int):
    n = len(v0)
    # The basis is kept a row per vector: Gram-Schmidt then reads contiguous rows, 2.5x faster
    # than columns of an (n, m) array at n ~ 70,000 (docs/benchmarks.md, "Monitoring's cost").
    V = np.zeros((m + 1, n))
    H = np.zeros((m + 1, m))
    V[0] = v0 / np.linalg.norm(v0)
    steps = m
    for j in range(m):
        w = np.asarray(matvec(V[j]), dtype=np.float64)
        for _ in range(2):  # classical Gram-Schmidt, twice
            c = V[: j + 1] @ w
            w -= c @ V[: j + 1]
            H[: j + 1, j] += c
        H[j + 1, j] = np.linalg.norm(w)
        if H[j + 1, j] <= 1e-12 * max(np.abs(H[: j + 2, : j + 1]).max(), 1e-300):
            steps = j + 1  # an invariant subspace: the Ritz values are exact
            break
        V[j + 1] = w / H[j + 1, j]
    Hm = H[:steps, :steps]
    values, Y = np.linalg.eig(Hm)
    # ||A x - lambda x|| = h_{m+1,m} |last component of y| for the unit Ritz vector x = V y
    residuals = np.zeros(steps) if steps < m else np.abs(H[m, m - 1] * Y[-1, :])
    return values, residuals, V[:steps].T @ Y, steps
