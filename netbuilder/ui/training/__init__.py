"""The training panel: datasets, settings, live curves, past runs, evaluation."""
