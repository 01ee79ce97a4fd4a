"""cobuild_graph: co-building networks (共建网络) as typed property graphs."""
