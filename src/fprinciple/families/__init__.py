"""Settings and metric names an experiment family's run and analysis sides share: torch-free, importing
neither side."""
