"""Where the Suzhou sample is: ``data/suzhou`` of the repository, from any working directory.

The sample ships with the repository, beside the package, not inside it. :func:`sample_path`
finds it next to the package (a clone, installed with ``pip install -e .``), else in the
working directory or a folder above it, so a notebook or a script finds it wherever it runs.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "SAMPLE",
    "sample_path",
]

#: The sample's folder inside the repository.
SAMPLE = Path("data") / "suzhou"


def sample_path() -> Path:
    """The folder of the Suzhou sample (``data/suzhou``), for :func:`cobuild_graph.read_dataset`.

    Returns
    -------
    pathlib.Path
        An absolute path.

    Raises
    ------
    FileNotFoundError
        If no repository holding the sample is beside the package, the working directory
        or a folder above it.

    Examples
    --------
    >>> import cobuild_graph as cg
    >>> G = cg.read_dataset(cg.sample_path())
    >>> G.graph["scale"]
    'sample'
    """
    here = Path.cwd().resolve()
    for root in (Path(__file__).resolve().parents[1], here, *here.parents):
        if (root / SAMPLE / "nodes.csv").is_file():
            return root / SAMPLE
    raise FileNotFoundError(
        f"the Suzhou sample ({SAMPLE}) ships with the repository, and none was found beside "
        f"the package or above {here}: run from a clone, or make the same data with "
        "cg.write_dataset(cg.generate('sample', seed=2020), 'suzhou')"
    )
