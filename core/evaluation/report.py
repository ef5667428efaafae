"""A self-contained HTML report of one model: what a user sends to a colleague.

One file, no network needed to open it: the figures are plotly charts with plotly.js inlined
once, every text from the user's data is HTML-escaped, and the words are the catalog's, in
the user's language.
"""

from __future__ import annotations

import datetime as _dt
import html

from core.base.errors import UserError
from core.base.i18n import seconds, translate
from core.evaluation import charts
from core.evaluation.diagnose import diagnose
from core.models.baseline import LABEL_KEYS
from core.models.evaluate import binary_curves, majority_baseline, positive_probability
from core.models.settings import BY_NAME

MISTAKES_SHOWN = 25

STYLE = """
body{font-family:Inter,'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif;max-width:1100px;margin:2rem auto;
padding:0 1rem;color:#1f2937;line-height:1.5}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #e5e7eb;padding-bottom:.3rem}
.meta{color:#6b7280}.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #e5e7eb;border-radius:.6rem;
padding:.7rem 1rem;min-width:10rem}.card b{display:block;font-size:1.6rem}table{border-collapse:collapse;width:100%;
margin:.6rem 0}th,td{border-bottom:1px solid #e5e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f8fafc}.note{background:#fff7ed;border-left:4px solid #f97316;padding:.5rem .8rem;margin:.5rem 0}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
"""


def _table(header, rows) -> str:
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# The Preprocess page's words for its settings (the Train page's come from core.models.settings).
PREPROCESS_LABELS = {"lowercase": "prep.lowercase", "strip_punctuation": "prep.punctuation",
                     "strip_numbers": "prep.numbers", "strip_urls": "prep.urls", "remove_stopwords": "prep.stopwords",
                     "tokenizer": "prep.tokenizer", "max_vocab": "prep.max_vocab", "min_count": "prep.min_count",
                     "max_length": "prep.max_length", "full_width": "prep.full_width",
                     "to_simplified": "prep.simplified", "strip_emoji": "prep.emoji",
                     "decode_entities": "prep.entities"}


def setting_row(t, section: str, key: str, value) -> list:
    """``[label, value]`` of one setting in the user's words (the page's label, on/off for a
    switch), with the machine name after it in small type for whoever reads the JSON."""
    label_key = PREPROCESS_LABELS.get(key) if section == "preprocess" else None
    known = BY_NAME.get(key)
    if label_key is None and known is not None and known.section == section:
        label_key = known.label
    if isinstance(value, bool):
        value = t("app.on") if value else t("app.off")
    elif section == "preprocess" and key == "tokenizer":
        value = t(f"prep.tokenizer_{value}")
    elif value is None:
        value = t("report.automatic")
    label = t(label_key).replace("`", "") if label_key else key
    return [f"{label} ({section}.{key})" if label_key else f"{section}.{key}", value]


# Long on purpose: one document written top to bottom, in the order a reader meets its sections.
def html_report(bundle, name: str, dataset: str, lang: str = "en", answers=None, created: str | None = None) -> str:
    """The report of ``bundle`` as one HTML document.

    Parameters
    ----------
    bundle : core.models.bundle.Bundle
    name, dataset : str
        The model's name and the data set it was trained on (as the user knows them).
    lang : str
        Catalog language of the report's words.
    answers : pandas.DataFrame, optional
        :func:`core.models.evaluate.predictions` on the test split: adds the floor, the confidence
        chart, the ROC curve (two classes) and the most confident mistakes.
    created : str, optional
        When the model was made (defaults to now).

    Returns
    -------
    str
        A complete HTML document; open it in any browser, offline.
    """
    def t(key, **params):
        return translate(key, lang, **params)

    figures = []
    info = bundle.info
    test = info.test
    parts = [f"<h1>{html.escape(t('report.title', name=name))}</h1>",
             f"<p class='meta'>{html.escape(t('report.meta', dataset=dataset, created=created or _dt.datetime.now().isoformat(timespec='minutes'), classes=', '.join(bundle.labels)))}</p>"]

    cards = []
    if test:
        cards += [(t("eval.accuracy"), f"{test.accuracy:.1%}"), (t("eval.macro_f1"), f"{test.macro_f1:.3f}"),
                  (t("report.weighted_f1"), f"{test.weighted_f1:.3f}"), (t("eval.test_rows"), f"{test.n:,}")]
    if answers is not None and len(answers):
        floor = majority_baseline(answers["label"])
        cards.append((t("eval.floor", label=floor["label"]), f"{floor['accuracy']:.1%}"))
    plain = info.baseline
    if plain and plain.on == "test":
        cards.append((t(LABEL_KEYS.get(plain.method, LABEL_KEYS["lr"])), f"{plain.accuracy:.1%}"))
    parts.append("<h2>" + html.escape(t("report.results")) + "</h2><div class='cards'>" + "".join(
        f"<div class='card'>{html.escape(label)}<b>{html.escape(value)}</b></div>" for label, value in cards) + "</div>")
    decision = bundle.decision
    if decision:
        parts.append(f"<p>{html.escape(t('report.decision', positive=decision['positive'], threshold=decision['threshold']))}</p>")

    if test:
        parts.append("<h2>" + html.escape(t("eval.per_class")) + "</h2>")
        parts.append(_table([t("eval.class"), t("eval.precision"), t("eval.recall"), t("eval.f1"), t("eval.support")],
                            [[row["label"], f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}",
                              row["support"]] for row in test.per_class]))
        figures.append(charts.confusion_figure(test.confusion, test.labels, t("eval.confusion"),
                                               t("eval.predicted"), t("eval.actual")))
    history = info.history
    if history.get("loss"):
        rows = [{"epoch": i + 1, **{key: values[i] for key, values in history.items() if i < len(values)}}
                for i in range(len(history["loss"]))]
        for metric, title in (("loss", "train.loss_chart"), ("accuracy", "train.accuracy_chart")):
            figures.append(charts.history_figure(rows, metric, t(title), t("train.train_curve"),
                                                 t("train.validation_curve"), t("train.epoch")))
    if answers is not None and len(answers):
        right = answers["correct"].astype(bool)
        figures.append(charts.confidence_histogram(answers.loc[right, "confidence"], answers.loc[~right, "confidence"],
                                                   t("eval.confidence_chart"), t("eval.col_confidence"),
                                                   t("eval.test_rows"), t("eval.right"), t("eval.wrong")))
        if len(bundle.labels) == 2:
            positive = decision["positive"] if decision else bundle.labels[1]
            try:
                curves = binary_curves(positive_probability(answers, positive), answers["label"] == positive)
            except UserError:  # one class only in the test split: no curve to draw
                curves = None
            if curves:
                figures.append(charts.roc_figure(curves, t("eval.roc_chart", auc=f"{curves['roc']['auc']:.3f}"),
                                                 t("eval.fpr"), t("eval.tpr")))
    if figures:
        parts.append("<h2>" + html.escape(t("report.charts")) + "</h2><div class='grid'>")
        for i, figure in enumerate(figures):
            # Outside Streamlit nothing widens the margins for tick labels and axis titles.
            figure.update_layout(margin={"l": 70, "r": 20, "t": 60, "b": 70})
            figure.update_xaxes(automargin=True)
            figure.update_yaxes(automargin=True)
            parts.append("<div>" + figure.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False,
                                                  config={"displaylogo": False}) + "</div>")
        parts.append("</div>")

    signs = diagnose(bundle.metrics, bundle.settings, answers)
    parts.append("<h2>" + html.escape(t("eval.diagnosis")) + "</h2>")
    parts += [f"<p class='note'>{html.escape(t(sign.key, **sign.params))}</p>" for sign in signs] or [
        f"<p>{html.escape(t('eval.healthy'))}</p>"]

    if answers is not None and len(answers):
        wrong = answers[~answers["correct"].astype(bool)].sort_values("confidence", ascending=False).head(MISTAKES_SHOWN)
        if len(wrong):
            parts.append("<h2>" + html.escape(t("report.mistakes", n=len(wrong))) + "</h2>")
            parts.append(_table([t("eval.col_text"), t("eval.actual"), t("eval.predicted"), t("eval.col_confidence")],
                                [[row.text[:300], row.label, row.predicted, f"{row.confidence:.1%}"]
                                 for row in wrong.itertuples()]))

    data = info.data
    parts.append("<h2>" + html.escape(t("report.data")) + "</h2>")
    parts.append(_table([t("report.item"), t("report.value")], [
        [t("report.rows"), data.rows], [t("report.split"), t("report.split_value", train=data.train,
                                                              validation=data.validation, test=data.test)],
        [t("report.columns"), f"{data.text_column} → {data.label_column}"],
        [t("report.vocabulary"), f"{len(bundle.vocabulary):,}"], [t("report.padding"), bundle.preprocess.max_length]]))
    parts.append("<h2>" + html.escape(t("report.settings")) + "</h2>")
    setting_rows = [setting_row(t, "preprocess", key, value) for key, value in bundle.preprocess.to_dict().items()
            if key not in ("stop_words", "user_words")]
    for section, config in (("model", info.model), ("train", info.train)):
        setting_rows += [setting_row(t, section, key, value) for key, value in (config.to_dict() if config else {}).items()]
    setting_rows += [[t("report.train_time"), f"{seconds(info.train_seconds)} s · {info.epochs} {t('train.epoch')}"],
             [t("report.device"), info.device_name]]
    parts.append(_table([t("report.item"), t("report.value")], setting_rows))
    parts.append(f"<p class='meta'>{html.escape(t('report.footer'))}</p>")
    title = html.escape(t("report.title", name=name))
    return (f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
            f"<title>{title}</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")

