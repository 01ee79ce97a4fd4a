"""Statistics of dyadic matrices: QAP correlation and MRQAP regression, as R's sna has them.

(placeholder docstring, filled below)
"""

# isort: off
from cobuild_graph.stats._correlation import QAPCorrelation, qap_correlation
from cobuild_graph.stats._mrqap import mrqap

# isort: on

__all__ = ["QAPCorrelation", "mrqap", "qap_correlation"]
