"""Plotly figures for the pages. Titles and axis labels are passed in already translated."""

from __future__ import annotations

import plotly.graph_objects as go

PRIMARY = "#2563eb"
SECONDARY = "#f97316"
FONT = "Inter, 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"


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
    figure = go.Figure(go.Bar(x=[n for _, n in items], y=[str(label) for label, _ in items], orientation="h",
                              marker_color=PRIMARY, text=[n for _, n in items], textposition="auto"))
    figure.update_yaxes(type="category")
    return _layout(figure, title, x_title, y_title, height=max(220, 60 + 28 * len(items)))


def history_figure(history: list[dict], metric: str, title: str, train_name: str, validation_name: str,
                   x_title: str) -> go.Figure:
    """Training and validation curves of one metric (``loss`` or ``accuracy``) per epoch."""
    epochs = [row["epoch"] for row in history]
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=epochs, y=[row.get(metric) for row in history], name=train_name,
                                mode="lines+markers", line={"color": PRIMARY}))
    figure.add_trace(go.Scatter(x=epochs, y=[row.get(f"val_{metric}") for row in history], name=validation_name,
                                mode="lines+markers", line={"color": SECONDARY}))
    figure.update_xaxes(dtick=1)
    return _layout(figure, title, x_title, "", height=300)


def confusion_figure(confusion, labels, title: str, x_title: str, y_title: str) -> go.Figure:
    """Confusion matrix heat map: counts, coloured by the share of each true class (row)."""
    rows = [list(row) for row in confusion]
    shares = [[value / max(1, sum(row)) for value in row] for row in rows]
    text = [[f"{value}<br>{share:.0%}" for value, share in zip(row, share_row)] for row, share_row in zip(rows, shares)]
    names = [str(label) for label in labels]
    figure = go.Figure(go.Heatmap(z=shares, x=names[: len(rows[0])], y=names, text=text, texttemplate="%{text}",
                                  colorscale="Blues", zmin=0, zmax=1, showscale=False,
                                  hovertemplate="%{y} → %{x}: %{text}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(type="category", side="bottom")
    size = max(320, 80 + 48 * len(names))
    return _layout(figure, title, x_title, y_title, height=size)


def probability_bar(probabilities: dict, title: str, x_title: str) -> go.Figure:
    """Class probabilities as horizontal bars, the winner highlighted."""
    items = sorted(probabilities.items(), key=lambda item: item[1])
    best = max(probabilities, key=probabilities.get)
    figure = go.Figure(go.Bar(
        x=[p for _, p in items], y=[str(label) for label, _ in items], orientation="h",
        marker_color=[PRIMARY if label == best else "#cbd5e1" for label, _ in items],
        text=[f"{p:.1%}" for _, p in items], textposition="auto"))
    figure.update_xaxes(range=[0, 1], tickformat=".0%")
    figure.update_yaxes(type="category")
    return _layout(figure, title, x_title, "", height=max(200, 70 + 30 * len(items)))


def confidence_histogram(right, wrong, title: str, x_title: str, y_title: str, right_name: str,
                         wrong_name: str) -> go.Figure:
    """How sure the model was (probability of its answer), for right and wrong answers: a
    good model is sure when right and unsure when wrong."""
    figure = go.Figure()
    bins = {"start": 0.0, "end": 1.0001, "size": 0.05}
    figure.add_trace(go.Histogram(x=list(right), name=right_name, marker_color=PRIMARY, xbins=bins, opacity=0.8))
    figure.add_trace(go.Histogram(x=list(wrong), name=wrong_name, marker_color=SECONDARY, xbins=bins, opacity=0.8))
    figure.update_layout(barmode="overlay")
    return _layout(figure, title, x_title, y_title)
