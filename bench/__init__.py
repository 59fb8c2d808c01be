"""Load benchmarks for the site; see bench/README.md. Not imported by the app."""
