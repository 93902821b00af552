"""Speed, load, memory and scale benchmarks (`python -m bench`); quality lives in `eval`.

Figures go to `bench/out/bench.json` and, with their commands, into BENCHMARKS.md. Targets
are reported, never asserted: timings on a shared machine vary, so tests never time anything.
"""
