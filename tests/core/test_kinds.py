"""The contract every bundle kind keeps (issue 28), run over each kind the app makes — the network,
the linear models (TF-IDF + logistic regression, and Automatic's NB-weighted LR and SVM on word and
character n-grams, issue 29) and Automatic's blend — as scikit-learn's ``check_estimator`` runs
over every estimator: saved, zipped, uploaded (the fenced import), loaded, it answers exactly as
before; explanations, a saved threshold and the prediction service work the same for it."""

import numpy as np
import pytest

from core.models.bundle import KIND_CLASSES, Bundle
from core.models.package import bundle_zip
from core.store import ModelStore
from core.text import PreprocessConfig
from core.training.train import train_auto
from tests.conftest import assert_usable
from tests.core.conftest import TINY_MODEL, TINY_TRAIN, small_sample

TEXTS = ["WINNER!! claim your free prize now, call 09061701461", "are we still on for lunch tomorrow?",
         "ok", "", "Free entry in 2 a wkly comp to win FA Cup final tkts", "I'll be home late tonight, sorry"]


# Each case: the bundle kind it is, and for a linear one the method (core.models.tfidf.METHODS).
CASES = {"keras": ("keras", None), "tfidf": ("tfidf", "lr"), "nblr": ("tfidf", "nblr"), "svm": ("tfidf", "svm"),
         "blend": ("blend", None)}


@pytest.fixture(scope="module")
def kinds(tiny_result):
    """One bundle of every kind in KIND_CLASSES, and of every linear method."""
    automatic = train_auto(small_sample(), PreprocessConfig(), TINY_MODEL, TINY_TRAIN)
    made = {"keras": tiny_result.bundle, "tfidf": automatic.candidates["tfidf"],
            "nblr": automatic.candidates["nblr"], "svm": automatic.candidates["svm"],
            "blend": automatic.candidates["blend"]}
    assert {kind for kind, _ in CASES.values()} == set(KIND_CLASSES), "a new kind needs its case here"
    assert {name: (bundle.kind, getattr(bundle.model, "method", None)) for name, bundle in made.items()} == CASES
    return made


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_kind_answers_the_same_after_save_zip_upload_and_load(case, kinds, tmp_path):
    kind = CASES[case][0]
    bundle = kinds[case]
    before = bundle.predict_proba(TEXTS)
    assert_usable(bundle, TEXTS)
    folder = bundle.save(tmp_path / "saved")
    again = Bundle.load(folder)
    assert again.kind == kind and again.labels == bundle.labels and again.info.format_version >= 1
    np.testing.assert_allclose(again.predict_proba(TEXTS), before, atol=1e-5)
    # Zipped as the Models page's download, uploaded through the fenced import, loaded from the store.
    store = ModelStore(tmp_path / "store")
    entry = store.import_zip(bundle_zip(folder, "contract"), "contract")
    uploaded = store.load(entry.model_id)
    np.testing.assert_allclose(uploaded.predict_proba(TEXTS), before, atol=1e-5)
    assert uploaded.predict(TEXTS) == bundle.predict(TEXTS)
    assert uploaded.outputs == len(bundle.labels)


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_kind_explains_keeps_a_threshold_and_is_served_alike(case, kinds, tmp_path):
    from core.evaluation.explain import explain
    from core.service.serve import ServedModel, create_app

    bundle = Bundle.load(kinds[case].save(tmp_path / "saved"))
    # Explanations: a weight per token the model reads, in text order; they move the right class.
    why = explain(bundle, TEXTS[0], "spam")
    assert [token for token, _ in why["tokens"]] == bundle.read_tokens([token for token, _ in why["tokens"]])
    assert why["tokens"] and all(np.isfinite(weight) for _, weight in why["tokens"])
    # A saved threshold decides alike after a reload: at 0.01 nearly everything is spam.
    bundle.set_decision("spam", 0.01)
    reloaded = Bundle.load(bundle.save(tmp_path / "saved"))
    spam = bundle.labels.index("spam")
    expected = ["spam" if row[spam] >= 0.01 else bundle.labels[int(np.argmax(row))]
                for row in bundle.predict_proba(TEXTS)]
    assert reloaded.predict(TEXTS) == expected
    # The prediction service answers as the bundle does.
    app = create_app({"m": ServedModel("m", tmp_path / "saved", reloaded, "now")})
    texts = [text for text in TEXTS if text.strip()]
    status, answer = asgi_call(app, "POST", "/v1/predict", {"texts": texts})
    assert status == 200, answer
    assert [row["label"] for row in answer["predictions"]] == reloaded.predict(texts)
    assert asgi_call(app, "GET", "/v1/models")[1]["models"][0]["kind"] == CASES[case][0]


def asgi_call(app, method: str, path: str, body=None) -> tuple[int, dict]:
    """One HTTP request to an ASGI app in this process (no client library, no socket)."""
    import asyncio
    import json

    raw = json.dumps(body).encode() if body is not None else b""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "path": path,
             "raw_path": path.encode(), "query_string": b"", "root_path": "", "scheme": "http",
             "headers": [(b"host", b"test"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(raw)).encode())],
             "client": ("127.0.0.1", 1), "server": ("test", 80)}
    sent, status, chunks = False, 0, []

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    async def run():
        await app(scope, receive, send)

    asyncio.run(run())
    return status, json.loads(b"".join(chunks) or b"{}")
