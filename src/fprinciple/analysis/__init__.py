"""The analysis side several experiments share: summaries and claims computed from metrics
tables with pandas and numpy only. Nothing here imports torch or the run side (engines,
training, models), so editing it reruns claims and figures and never a training job."""
