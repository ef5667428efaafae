"""Issue 20's prediction service: ``python -m core serve`` as a real uvicorn process, and the
FastAPI app's limits, API key and error answers in process."""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pandas as pd
import pytest

from core.data.dataset import SAMPLES
from tests.conftest import ROOT
from tests.core.test_cli import TINY, last_json, run

pytest.importorskip("fastapi", reason="fastapi is not installed (pip install -r requirements.txt)")

ENGLISH = ["Free entry! Win a prize, text WIN to 80086 now", "Are we still meeting for lunch today?",
           "URGENT your mobile number has won £2000, call 09061701461"]
KEY = "s3cret-key"
CHINESE = ["国足世预赛名单公布 武磊领衔", "央行宣布降准0.5个百分点 释放长期资金", "新款手机发布 搭载最新芯片"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """Four bundle kinds the app makes: an English network with a saved threshold, a Chinese
    (jieba) network, TF-IDF and Automatic's blend — each named by its folder."""
    from core.models.bundle import Bundle

    root = tmp_path_factory.mktemp("served")
    sms, news = (SAMPLES[name].path for name in ("sms_spam", "thucnews_titles"))
    small = ["--sample", "1000", "--seed", "1"]
    made = {"spam": ["train", sms, *TINY, *small], "news": ["train", news, *TINY, *small],
            "spam-tfidf": ["train", sms, "--model", "tfidf", *small],
            "news-auto": ["train", news, *TINY, *small, "--model", "auto"]}
    trainings = {name: subprocess.Popen([sys.executable, "-m", "core", *map(str, args), "--out", str(root / name)],
                                        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name, args in made.items()}       # side by side: most of each is TensorFlow starting
    for name, process in trainings.items():
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, (name, stderr)
    bundle = Bundle.load(root / "spam")
    bundle.set_decision("spam", 0.3)          # the service must decide as the saved threshold says
    bundle.save(root / "spam")
    return {name: root / name for name in made}


def _call(url, body=None, key=KEY, method=None, raw: bytes | None = None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method or ("POST" if data is not None else "GET"),
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {key}"} if key else {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def service(bundles):
    """``python -m core serve`` on a free loopback port, as a user starts it: with an API key
    and limits of 4 texts of 100 characters per request."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "core", "serve", *map(str, bundles.values()), "--port", str(port),
                                "--max-texts", "4", "--max-chars", "100"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "STUDIO_API_KEY": KEY})
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if _call(f"{url}/v1/health") == (200, {"status": "ok"}):
                break
        except OSError:
            time.sleep(0.3)
        assert process.poll() is None, process.stderr.read()
    else:
        process.kill()
        pytest.fail("the service did not answer within 120 s")
    yield url
    process.terminate()
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr      # clients that drop mid-body or send nonsense are not the server's bugs
    assert last_json(stdout)["models"] == list(bundles)   # the headless contract: JSON on the last line


def test_service_answers_exactly_as_the_cli_for_every_bundle_kind(bundles, service):
    status, listed = _call(f"{service}/v1/models")
    assert status == 200 and [model["name"] for model in listed["models"]] == list(bundles)
    assert [model["kind"] for model in listed["models"]][:3] == ["keras", "keras", "tfidf"]
    assert listed["models"][3]["kind"] in ("keras", "tfidf", "blend")      # whichever Automatic kept
    assert listed["models"][0]["labels"] == ["ham", "spam"] and len(listed["models"][1]["labels"]) == 10
    assert all(model["created"][:4].isdigit() for model in listed["models"])
    for name, texts in [("spam", ENGLISH), ("news", CHINESE), ("spam-tfidf", ENGLISH), ("news-auto", CHINESE)]:
        status, answer = _call(f"{service}/v1/predict", {"texts": texts, "model": name})
        assert status == 200 and answer["model"] == name and len(answer["predictions"]) == len(texts)
        # The CLI on the same texts, as a file: the same label and probabilities for each.
        file = bundles[name].parent / f"{name}-texts.csv"
        pd.DataFrame({"text": texts}).to_csv(file, index=False)
        code, _, stderr = run("predict", bundles[name], "--file", file, "--out", file.with_suffix(".out.csv"))
        assert code == 0, stderr
        expected = pd.read_csv(file.with_suffix(".out.csv"), encoding="utf-8-sig")
        for index, served in enumerate(answer["predictions"]):
            row = expected.iloc[index]
            assert row["text"] == texts[index] and served["label"] == row["predicted_label"], (name, texts[index])
            assert served["probabilities"] == pytest.approx(
                {label: row[f"p({label})"] for label in served["probabilities"]}, abs=1e-4)
    # The saved threshold decides: spam from 0.3 on, whatever the most probable class.
    status, answer = _call(f"{service}/v1/predict", {"texts": ENGLISH, "model": "spam"})
    assert [p["label"] for p in answer["predictions"]] == [
        "spam" if p["probabilities"]["spam"] >= 0.3 else "ham" for p in answer["predictions"]]
    status, document = _call(f"{service}/openapi.json")
    assert status == 200 and {"/v1/health", "/v1/models", "/v1/predict"} <= set(document["paths"])


def test_sixteen_concurrent_clients_are_all_answered(service):
    """16 clients at once, 10 requests each: every answer right (batched together or not)."""
    _, alone = _call(f"{service}/v1/predict", {"texts": ENGLISH[:1], "model": "spam-tfidf"})
    answers, failures = [], []

    def client(number):
        for request in range(10):
            texts = ENGLISH[:1] * (1 + (number + request) % 3)
            try:
                status, answer = _call(f"{service}/v1/predict", {"texts": texts, "model": "spam-tfidf"})
                answers.append((status, len(texts), answer))
            except Exception as error:   # a refused connection or a timeout is a failure too
                failures.append(repr(error))

    threads = [threading.Thread(target=client, args=(number,)) for number in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures and len(answers) == 160
    for status, count, answer in answers:
        assert status == 200 and len(answer["predictions"]) == count
        assert all(p == alone["predictions"][0] for p in answer["predictions"])


def test_limits_api_key_and_bad_requests_answer_with_a_message(service):
    assert _call(f"{service}/v1/health", key=None) == (200, {"status": "ok"})     # open for load balancers
    for key in (None, "wrong", f"Bearer {KEY}"):          # the last: "Bearer Bearer …"
        status, answer = _call(f"{service}/v1/predict", {"texts": ["hi"], "model": "spam"}, key=key)
        assert status == 401 and "API key" in answer["error"]
    assert _call(f"{service}/v1/models", key=None)[0] == 401
    cases = [
        (b'{"texts": ["hi"', 400, "not JSON"),
        (b"\xff\xfe", 400, "not JSON"),
        (json.dumps({"texts": ["x" * 90] * 25_000}).encode(), 413, "at most 2,000,000"),
        (json.dumps(["hi"]).encode(), 422, "JSON object"),
        (json.dumps({"text": "hi", "model": "spam"}).encode(), 422, "Unknown field"),
        (json.dumps({"texts": [], "model": "spam"}).encode(), 422, "non-empty list"),
        (json.dumps({"texts": "hi", "model": "spam"}).encode(), 422, "non-empty list"),
        (json.dumps({"texts": ["a", "b", "c", "d", "e"], "model": "spam"}).encode(), 422, "at most 4"),
        (json.dumps({"texts": ["ok", 7], "model": "spam"}).encode(), 422, "texts[1] is int"),
        (json.dumps({"texts": ["ok", "   "], "model": "spam"}).encode(), 422, "texts[1] is empty"),
        (json.dumps({"texts": ["z" * 101], "model": "spam"}).encode(), 422, "101 characters"),
        (json.dumps({"texts": ["hi"]}).encode(), 422, "Several models"),
        (json.dumps({"texts": ["hi"], "model": "nope"}).encode(), 404, "spam, news, spam-tfidf, news-auto"),
        (json.dumps({"texts": ["hi"], "model": 3}).encode(), 422, '"model" must be a string'),
    ]
    for body, status, words in cases:
        answer = _call(f"{service}/v1/predict", raw=body)
        assert answer[0] == status and words in answer[1]["error"], (body[:40], answer)
    assert _call(f"{service}/v1/nothing-here") == (404, {"error": "Not Found"})


def test_a_request_to_a_single_model_needs_no_name():
    from core.service.serve import Limits, ServiceError, read_request

    only = {"news": object()}
    assert read_request(json.dumps({"texts": ["央行降准"]}).encode(), only, Limits()) == ("news", ["央行降准"])
    with pytest.raises(ServiceError) as refused:
        read_request(json.dumps({"texts": ["央行降准"], "model": "sms"}).encode(), only, Limits())
    assert refused.value.status == 404 and "the models are: news" in refused.value.message


def test_models_are_named_by_their_folder_or_as_told(bundles):
    from core.service.serve import model_arguments

    assert model_arguments([bundles["spam"], f"filter={bundles['spam']}"]) == [
        ("spam", bundles["spam"]), ("filter", bundles["spam"])]


def test_serve_user_errors_exit_2_with_one_line(bundles, tmp_path):
    code, _, stderr = run("serve", tmp_path / "nothing")
    assert code == 2 and "No model bundle" in stderr.strip().splitlines()[-1]
    twin = tmp_path / "x" / "spam"
    shutil.copytree(bundles["spam-tfidf"], twin)
    code, _, stderr = run("serve", bundles["spam"], twin)
    assert code == 2 and "Two models are both called 'spam'" in stderr.strip().splitlines()[-1]
    code, _, stderr = run("serve", f"news={bundles['spam-tfidf']}", f"news={tmp_path / 'nothing'}")
    assert code == 2 and "No model bundle" in stderr.strip().splitlines()[-1]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, _, stderr = run("serve", bundles["spam-tfidf"], "--port", taken.getsockname()[1])
    assert code == 2 and "Cannot listen on 127.0.0.1" in stderr.strip().splitlines()[-1]
    code, _, stderr = run("serve", bundles["spam-tfidf"], "--port", "0")
    assert code == 2 and "--port must be between 1 and 65535" in stderr


def test_a_body_over_the_limit_gets_413_however_it_is_sent(service):
    """Declared too large, or sent in chunks with no Content-Length: the 413 with its message
    reaches the client (the body is read, and dropped, first: no "broken pipe")."""
    import http.client
    from urllib.parse import urlsplit

    body = json.dumps({"texts": ["x" * 90] * 25_000}).encode()      # 2.3 MB, over the 2,000,000-byte limit
    address = urlsplit(service)
    for chunked in (False, True):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
        if chunked:
            connection.request("POST", "/v1/predict", body=(body[i:i + 65536] for i in range(0, len(body), 65536)),
                               headers=headers, encode_chunked=True)
        else:
            connection.request("POST", "/v1/predict", body=body, headers=headers)
        answer = connection.getresponse()
        assert answer.status == 413 and "at most 2,000,000" in json.loads(answer.read())["error"], chunked
        connection.close()


def test_the_api_page_needs_the_key_and_loads_nothing_from_elsewhere(service):
    assert _call(f"{service}/openapi.json", key=None)[0] == 401
    request = urllib.request.Request(f"{service}/docs")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401
    request = urllib.request.Request(f"{service}/docs", headers={"Authorization": f"Bearer {KEY}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    assert "/v1/predict" in page and "<script" not in page and "http://" not in page and "https://" not in page


def test_deep_json_and_invisible_texts_are_client_errors(service):
    deep = b'{"texts": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    status, answer = _call(f"{service}/v1/predict", raw=deep)              # 200 KB, under the body limit
    assert status == 400 and "nests too deeply" in answer["error"]
    for text in ("\x00\x00", "\u200b\u200c\u2060", "\ufeff \u200d"):
        status, answer = _call(f"{service}/v1/predict", {"texts": ["ok", text], "model": "spam"})
        assert status == 422 and "texts[1] is empty" in answer["error"], repr(text)


def test_slow_clients_are_cut_off_and_others_still_answered(service):
    """Three hundred clients send half a request line and stall (a slow-loris attack): each
    connection is closed after the header deadline, and a normal request meanwhile is answered."""
    from urllib.parse import urlsplit

    from core.service.serve import HEADER_SECONDS

    address = urlsplit(service)
    slow = []
    for _ in range(300):
        sock = socket.create_connection((address.hostname, address.port), timeout=HEADER_SECONDS + 20)
        sock.sendall(b"POST /v1/predict HTTP/1.1\r\nHost: x\r\n")
        slow.append(sock)
    try:
        status, answer = _call(f"{service}/v1/predict", {"texts": ["see you at lunch"], "model": "spam-tfidf"})
        assert status == 200 and len(answer["predictions"]) == 1
        started = time.monotonic()
        assert slow[0].recv(1024) == b""                     # closed by the server, nothing answered
        assert time.monotonic() - started < HEADER_SECONDS + 5
    finally:
        for sock in slow:
            sock.close()


def test_a_client_that_drops_mid_body_leaves_no_traceback(service):
    from urllib.parse import urlsplit

    address = urlsplit(service)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(f"POST /v1/predict HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n".encode() + b'{"texts": ["' + b"a" * 500)
    assert _call(f"{service}/v1/health") == (200, {"status": "ok"})   # and the fixture's end finds no traceback


def test_too_much_queued_work_is_refused_so_a_short_request_does_not_wait():
    import asyncio

    from core.service.serve import MAX_PENDING_FACTOR, Batcher, Busy, Limits

    class Slow:
        def answers(self, texts):
            time.sleep(0.2)
            return [{"label": "a", "probabilities": {"a": 1.0}} for _ in texts]

    async def scenario():
        batcher = Batcher(Slow(), Limits(max_batch=4))
        first = asyncio.ensure_future(batcher.predict(["x"] * 4))
        await asyncio.sleep(0)
        queued = [asyncio.ensure_future(batcher.predict(["y"] * 4)) for _ in range(MAX_PENDING_FACTOR)]
        await asyncio.sleep(0)
        with pytest.raises(Busy):
            await batcher.predict(["z"] * 4)
        await asyncio.gather(first, *queued)
        batcher.close()

    asyncio.run(scenario())
