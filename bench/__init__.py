"""communard's speed benchmark: ``python -m bench [--quick] [--only NAME]`` (``make bench``).

Counts synthetic Plackett-Luce profiles (``communard.counting.generate``) with the
engine and with the peer libraries in the same run, prints every figure beside
the peer's figure and the ratio, and writes ``docs/benchmarks.md``. Targets are
ratios to the fastest peer in the same run (issue 5, "Speed"); nothing here is a
test, and no test asserts on time.
"""
