"""Plotly figures for the pages. Titles and axis labels are passed in already translated."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

PRIMARY = "#2563eb"
SECONDARY = "#f97316"
BEST = "#16a34a"
CONFIDENCE_BINS = 20
FONT = "Inter, 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"


def _text(value) -> str:
    """A user's string (a class name) for a chart: plotly reads ``<b>``, ``<a href>``, ``<br>`` and
    entities in its texts, so ``& < >`` are escaped and the name shows exactly as typed."""
    return html.escape(str(value), quote=False)


def _layout(figure: go.Figure, title: str, x_title: str = "", y_title: str = "", height: int = 320) -> go.Figure:
    figure.update_layout(
        title={"text": title, "font": {"size": 15}}, height=height, margin={"l": 10, "r": 10, "t": 48, "b": 10},
        font={"family": FONT}, plot_bgcolor="white", xaxis_title=x_title, yaxis_title=y_title,
        legend={"orientation": "h", "y": -0.25},
    )
    figure.update_xaxes(gridcolor="#eef0f4")
    figure.update_yaxes(gridcolor="#eef0f4")
    return figure


def length_histogram(token_counts, padding_length: int, title: str, x_title: str, y_title: str,
                     marker_label: str) -> go.Figure:
    """Histogram of tokens per text with the padding length marked by a vertical line."""
    figure = go.Figure(go.Histogram(x=list(token_counts), marker_color=PRIMARY, nbinsx=50, opacity=0.85))
    figure.add_vline(x=padding_length, line_dash="dash", line_color=SECONDARY,
                     annotation_text=marker_label, annotation_position="top right")
    return _layout(figure, title, x_title, y_title)


def class_bar(class_counts: dict, title: str, x_title: str, y_title: str) -> go.Figure:
    """Examples per class as horizontal bars, largest on top."""
    items = sorted(class_counts.items(), key=lambda item: item[1])
    figure = go.Figure(go.Bar(x=[n for _, n in items], y=[_text(label) for label, _ in items], orientation="h",
                              marker_color=PRIMARY, text=[n for _, n in items], textposition="auto"))
    figure.update_yaxes(type="category")
    return _layout(figure, title, x_title, y_title, height=max(220, 60 + 28 * len(items)))


def best_epoch(history: list[dict]) -> int | None:
    """The epoch with the lowest validation loss (the one early stopping keeps), or ``None``."""
    rows = [row for row in history if row.get("val_loss") is not None]
    return min(rows, key=lambda row: row["val_loss"])["epoch"] if rows else None


def history_figure(history: list[dict], metric: str, title: str, train_name: str, validation_name: str,
                   x_title: str, best_label: str = "") -> go.Figure:
    """Training and validation curves of one metric (``loss`` or ``accuracy``) per epoch, the
    best epoch so far marked with a dotted line when ``best_label`` is given."""
    epochs = [row["epoch"] for row in history]
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=epochs, y=[row.get(metric) for row in history], name=train_name,
                                mode="lines+markers", line={"color": PRIMARY}))
    figure.add_trace(go.Scatter(x=epochs, y=[row.get(f"val_{metric}") for row in history], name=validation_name,
                                mode="lines+markers", line={"color": SECONDARY}))
    best = best_epoch(history) if best_label else None
    if best is not None:
        # The label sits above the plotting area, where no curve can run through it.
        figure.add_vline(x=best, line_dash="dot", line_color=BEST)
        figure.add_annotation(x=best, y=1, yref="paper", yanchor="bottom", text=_text(best_label), showarrow=False,
                              font={"color": BEST, "size": 12})
    figure.update_xaxes(dtick=1)
    figure = _layout(figure, title, x_title, "", height=300)
    figure.update_layout(margin={"t": 64})
    return figure


def confusion_figure(confusion, labels, title: str, x_title: str, y_title: str) -> go.Figure:
    """Confusion matrix heat map: counts, coloured by the share of each true class (row).

    Plotly heat maps send no selection events, so an invisible square marker sits on every
    cell: clicking a cell selects its marker (``x`` = predicted, ``y`` = actual class).
    """
    rows = [list(row) for row in confusion]
    shares = [[value / max(1, sum(row)) for value in row] for row in rows]
    text = [[f"{value}<br>{share:.0%}" for value, share in zip(row, share_row)] for row, share_row in zip(rows, shares)]
    names = [_text(label) for label in labels]  # a click returns these: html.unescape them
    columns = names[: len(rows[0])]
    figure = go.Figure(go.Heatmap(z=shares, x=columns, y=names, text=text, texttemplate="%{text}",
                                  colorscale="Blues", zmin=0, zmax=1, showscale=False, hoverinfo="skip"))
    size = max(320, 80 + 48 * len(names))
    cell = max(12, min(60, (size - 110) // max(1, len(names))))
    cells = [(column, name, text[i][j]) for i, name in enumerate(names) for j, column in enumerate(columns)]
    figure.add_trace(go.Scatter(
        x=[c for c, _, _ in cells], y=[n for _, n, _ in cells], text=[v for _, _, v in cells], mode="markers",
        marker={"symbol": "square", "size": cell, "opacity": 0}, showlegend=False,
        selected={"marker": {"opacity": 0}}, unselected={"marker": {"opacity": 0}},
        hovertemplate="%{y} → %{x}: %{text}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(type="category", side="bottom")
    figure.update_layout(clickmode="event+select", dragmode=False)
    return _layout(figure, title, x_title, y_title, height=size)


def probability_bar(probabilities: dict, title: str, x_title: str, chosen: str | None = None) -> go.Figure:
    """Class probabilities as horizontal bars; the ``chosen`` class (default: the most probable)
    highlighted."""
    items = sorted(probabilities.items(), key=lambda item: item[1])
    best = chosen if chosen in probabilities else max(probabilities, key=lambda label: probabilities[label])
    figure = go.Figure(go.Bar(
        x=[p for _, p in items], y=[_text(label) for label, _ in items], orientation="h",
        marker_color=[PRIMARY if label == best else "#cbd5e1" for label, _ in items],
        text=[f"{p:.1%}" for _, p in items], textposition="auto"))
    figure.update_xaxes(range=[0, 1], tickformat=".0%")
    figure.update_yaxes(type="category")
    return _layout(figure, title, x_title, "", height=max(200, 70 + 30 * len(items)))


def confidence_histogram(right, wrong, title: str, x_title: str, y_title: str, right_name: str,
                         wrong_name: str) -> go.Figure:
    """How sure the model was (probability of its answer), for right and wrong answers, in
    twenty bins of 0.05 from 0 to 1 (a probability of exactly 1 counts in the last bin; none
    lies beyond): a good model is sure when right and unsure when wrong."""
    edges = np.linspace(0.0, 1.0, CONFIDENCE_BINS + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    figure = go.Figure()
    for values, name, colour in ((right, right_name, PRIMARY), (wrong, wrong_name, SECONDARY)):
        counts, _ = np.histogram(np.clip(np.asarray(list(values), dtype=float), 0.0, 1.0), bins=edges)
        figure.add_trace(go.Bar(x=centres, y=counts, width=1 / CONFIDENCE_BINS, name=name, marker_color=colour,
                                opacity=0.8, hovertemplate="%{customdata}: %{y}<extra></extra>",
                                customdata=[f"{low:.2f}–{high:.2f}" for low, high in zip(edges[:-1], edges[1:])]))
    figure.update_layout(barmode="overlay")
    figure.update_xaxes(range=[0, 1])
    return _layout(figure, title, x_title, y_title)


def roc_figure(curves: dict, title: str, x_title: str, y_title: str, threshold: float | None = None,
               marker_label: str = "") -> go.Figure:
    """ROC curve (true positive rate against false positive rate) with the chance diagonal and,
    given ``threshold``, the point that threshold gives."""
    roc = curves["roc"]
    figure = go.Figure(go.Scatter(x=roc["fpr"], y=roc["tpr"], mode="lines", line={"color": PRIMARY}, showlegend=False,
                                  customdata=roc["thresholds"],
                                  hovertemplate="%{x:.2f}, %{y:.2f} (≥ %{customdata:.2f})<extra></extra>"))
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"color": "#94a3b8", "dash": "dot"},
                                showlegend=False, hoverinfo="skip"))
    if threshold is not None:
        _mark(figure, roc["fpr"], roc["tpr"], roc["thresholds"], threshold, marker_label, descending=True)
    figure.update_xaxes(range=[0, 1])
    figure.update_yaxes(range=[0, 1.02])
    return _layout(figure, title, x_title, y_title, height=330)


def pr_figure(curves: dict, title: str, x_title: str, y_title: str, threshold: float | None = None,
              marker_label: str = "") -> go.Figure:
    """Precision against recall for the positive class, with the point of ``threshold``."""
    pr = curves["pr"]
    figure = go.Figure(go.Scatter(x=pr["recall"], y=pr["precision"], mode="lines", line={"color": PRIMARY},
                                  showlegend=False, customdata=pr["thresholds"],
                                  hovertemplate="%{x:.2f}, %{y:.2f} (≥ %{customdata:.2f})<extra></extra>"))
    if threshold is not None:
        _mark(figure, pr["recall"], pr["precision"], pr["thresholds"], threshold, marker_label, descending=False)
    figure.update_xaxes(range=[0, 1])
    figure.update_yaxes(range=[0, 1.02])
    return _layout(figure, title, x_title, y_title, height=330)


def _mark(figure, xs, ys, thresholds, threshold, label, descending: bool) -> None:
    """A marker on a curve at the first point whose threshold passes ``threshold``."""
    if not thresholds:
        return
    passing = [i for i, value in enumerate(thresholds) if value >= threshold]
    if not passing:
        index = 0 if descending else len(thresholds) - 1
    else:
        index = passing[-1] if descending else passing[0]
    # The label on the side of the point with room for it, so it is never cut at the chart's edge.
    side = "left" if xs[index] > 0.6 else "right"
    figure.add_trace(go.Scatter(x=[xs[index]], y=[ys[index]], mode="markers+text", text=[_text(label)],
                                textposition=f"bottom {side}", marker={"color": SECONDARY, "size": 12},
                                showlegend=False, hoverinfo="skip"))


def learning_curve_figure(points, rows, title: str, x_title: str, y_title: str) -> go.Figure:
    """Test accuracy (y, %) against the number of training texts (x) of :func:`core.evaluation.curve.learning_curve`."""
    figure = go.Figure(go.Scatter(x=list(rows), y=[accuracy * 100 for _, accuracy in points], mode="lines+markers",
                                  text=[f"{share:.0%}" for share, _ in points],
                                  hovertemplate="%{x:,} (%{text}): %{y:.1f} %<extra></extra>"))
    figure.update_yaxes(ticksuffix=" %")
    return _layout(figure, title, x_title, y_title)


def labels_curve_figure(points, title: str, x_title: str, y_title: str) -> go.Figure:
    """Accuracy (y, %, from 0 to 100 so that a change of a point does not look like a leap)
    against the number of texts labelled so far (x): the Label page's curve."""
    figure = go.Figure(go.Scatter(x=[count for count, _ in points], y=[accuracy * 100 for _, accuracy in points],
                                  mode="lines+markers", hovertemplate="%{x:,}: %{y:.1f} %<extra></extra>"))
    figure.update_yaxes(ticksuffix=" %", range=[0, 102])
    return _layout(figure, title, x_title, y_title)
