"""The downloadable HTML report."""

import re

from core.evaluation.report import html_report
from core.models.evaluate import predictions


def test_report_is_one_self_contained_escaped_document(tiny_result):
    bundle = tiny_result.bundle
    texts = list(tiny_result.test_texts) + ["<script>alert('x')</script> free prize"]
    labels = list(tiny_result.test_labels) + ["ham"]
    answers = predictions(bundle, texts, labels)
    answers.loc[len(answers) - 1, ["correct", "confidence"]] = [False, 0.999]  # listed first among mistakes
    report = html_report(bundle, "spam <model>", "sms_spam", "en", answers, "2026-11-29T10:00")
    assert report.startswith("<!DOCTYPE html>") and report.rstrip().endswith("</html>")
    assert "Model report: spam &lt;model&gt;" in report
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in report and "<script>alert('x')" not in report
    # plotly.js inlined exactly once, nothing fetched from the network.
    assert report.count("* plotly.js v") == 1
    assert not re.search(r"<script[^>]+src=", report) and not re.search(r"<link[^>]+href=", report)
    assert len(re.findall(r"Plotly\.newPlot", report)) == 5  # confusion, 2 curves, confidence, ROC
    test = bundle.metrics["test"]
    assert f"{test['accuracy']:.1%}" in report
    # The baseline's card is named for the best linear model it is (issue 29).
    assert {"lr": "TF-IDF + logistic regression", "nblr": "NB-weighted logistic regression",
            "svm": "Linear SVM on words and characters"}[bundle.info.baseline.method] in report
    assert "model.lstm_units" in report and "Rows used" in report
    # Settings in the user's words (the page's labels, on/off), the machine name in brackets (issue 27).
    assert "Lower-case (preprocess.lowercase)" in report and "Recurrent units (model.lstm_units)" in report
    assert "<td>True</td>" not in report and "<td>False</td>" not in report


def test_report_in_chinese(tiny_chinese_result):
    bundle = tiny_chinese_result.bundle
    report = html_report(bundle, "新闻", "thucnews_titles", "zh")
    assert "<html lang='zh-CN'>" in report and "模型报告：新闻" in report and "各类别表现" in report
    assert "Model report" not in report
    assert "全角转半角 (preprocess.full_width)" in report
