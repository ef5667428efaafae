"""Turning a data set into a bundle: batches, memory checks, presets, the training loop, the job (state, local worker, Ray runner) and what a run says when it ends."""
