"""py-defs for tests/ray/test_cluster_values.py: a Python actor whose handle C++ tasks
on the other node are given."""
import goray


@goray.remote
class PyCounter:
    def __init__(self):
        self.total = 0

    def add(self, n):
        self.total += n
        return self.total
