"""Spectral measurements: DFT and peaks, relative error per frequency, projection and filtering methods."""
