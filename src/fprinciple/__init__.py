"""fprinciple: reproduce the Frequency Principle literature (see README.md)."""
