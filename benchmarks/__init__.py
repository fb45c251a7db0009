"""On-demand benchmarks (not tests); see README.md."""
