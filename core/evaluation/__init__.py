"""How good a model is and why: explanations, the overfitting diagnosis, label checks, active learning and learning curves, the HTML report, charts."""
