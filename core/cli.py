"""The headless contract: ``python -m core train|evaluate|predict|explain|export|inspect|…|serve``.

Every command prints its result as JSON on the last line of stdout; progress goes to stderr.
A user mistake exits with code 2 and one line on stderr that says what to fix.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from dataclasses import asdict, replace
from pathlib import Path

from core.models.settings import DEFAULT_PRESET, PRESETS, cli_settings


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump
        raise _UsageError(f"{message} (see 'python -m core {self.prog.split()[-1]} --help')")


class _UsageError(Exception):
    pass


def _quiet_tensorflow():
    """Keep TensorFlow's C++ log lines (CUDA probing on CPU machines) off the user's terminal.

    Some of them are written by absl before any log level applies, so file descriptor 2 goes
    to /dev/null and Python's ``sys.stderr`` keeps the real terminal. ``CORE_DEBUG=1`` keeps
    everything.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    warnings.filterwarnings("ignore")
    if os.environ.get("CORE_DEBUG"):
        return
    sys.stderr.flush()
    terminal = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = os.fdopen(terminal, "w", buffering=1)


def _data_options(parser, sample: bool = True) -> None:
    parser.add_argument("--text-col", help="text column; several joined with commas, e.g. title,body (default: guessed)")
    parser.add_argument("--encoding", help="force a text encoding, e.g. gb18030 (default: detected)")
    parser.add_argument("--sheet", help="Excel sheet to read (default: the first that holds a table)")
    if sample:
        parser.add_argument("--sample", type=int, metavar="N",
                            help="use a stratified sample of N rows (needed above the row cap)")


def _setting_option(parser, setting) -> None:
    """``--<short>`` for one setting of :data:`core.models.settings.SETTINGS`, with its English label."""
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.base.i18n import translate

    label = translate(setting.label, "en")
    if setting.switch:
        label = f"{translate(setting.label, 'en')} with {translate(f'train.{setting.switch}', 'en').lower()}; 0 = off"
    if setting.kind in ("bool",):
        parser.add_argument(setting.flag, choices=["on", "off"], help=f"{label} (default: the preset's)")
    elif setting.kind in ("choice", "flag"):
        parser.add_argument(setting.flag, choices=list(setting.choices), help=f"{label} (default: the preset's)")
    else:
        parser.add_argument(setting.flag, type={"int": int, "float": float}[setting.kind], metavar="N" if setting.kind == "int" else "X",
                            help=f"{label} (default: the preset's)")


# Long on purpose: a declarative list of every command and option of the headless contract.
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description="Text Classifier Studio, without a browser.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    data_help = "CSV/TSV, Excel, JSON (Lines) or a .zip of label folders"

    train = commands.add_parser("train", help="train a model bundle from a labelled file")
    train.add_argument("data", help=data_help)
    _data_options(train)
    train.add_argument("--label-col")
    train.add_argument("--tokenizer", choices=["word", "char", "jieba"],
                       help="default: jieba (Chinese words) when most text is Chinese, else word")
    train.add_argument("--preset", choices=list(PRESETS), default=DEFAULT_PRESET,
                       help="settings chosen from the data (default balanced); the options below override them")
    train.add_argument("--model", choices=["auto", "network", "lstm", "gru", "tfidf"], default="auto",
                       help="auto (the default, as in the app): the linear models (TF-IDF + LR, NB-LR, a linear SVM "
                            "on words and characters), the network and its blend with the best linear model, keeping "
                            "the best on the validation split; network: the preset's network alone; lstm or gru: the "
                            "network with that recurrent layer; tfidf: the linear models alone, the best kept (seconds)")
    for setting in cli_settings():
        _setting_option(train, setting)
    train.add_argument("--unlabelled", action="append", metavar="FILE", default=[],
                       help="a file of texts without labels (any format above; repeat for several): word vectors "
                            "are learned from them, the labelled texts and the rows without a label, and the "
                            "network starts from them")
    train.add_argument("--vectors", metavar="FILE",
                       help="pretrained word vectors (word2vec text/binary, GloVe, fastText .vec; gzipped or not) "
                            "for the network to start from, instead of learning them")
    train.add_argument("--out", required=True, help="folder to write the model bundle to")

    evaluate = commands.add_parser("evaluate", help="measure a bundle on a labelled file")
    evaluate.add_argument("bundle"), evaluate.add_argument("data", help=data_help)
    _data_options(evaluate)
    evaluate.add_argument("--label-col")

    predict = commands.add_parser("predict", help="classify one text, or every row of a file")
    predict.add_argument("bundle"), predict.add_argument("text", nargs="?", help="the text (or use --file)")
    predict.add_argument("--file", help="classify every row of this file (any format inspect reads)")
    predict.add_argument("--out", help="with --file: .csv (UTF-8 with BOM) or .xlsx to write (default: <file>-predictions.csv here)")
    _data_options(predict, sample=False)

    explain = commands.add_parser("explain", help="how much each word of a text pushed towards the predicted class")
    explain.add_argument("bundle"), explain.add_argument("text")
    explain.add_argument("--label", help="explain this class instead of the predicted one")

    export = commands.add_parser("export", help="write a bundle for serving (SavedModel) or as one .zip with a model card")
    export.add_argument("bundle")
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--savedmodel", metavar="DIR", help="TensorFlow SavedModel taking raw strings (TF Serving)")
    target.add_argument("--zip", metavar="FILE", help="the bundle and its model card (README.md) as one zip")
    export.add_argument("--name", help="model name for the model card (default: the bundle folder's name)")

    issues = commands.add_parser("label-issues", help="rows whose label looks wrong (cleanlab on a quick model)")
    issues.add_argument("data", help=data_help)
    _data_options(issues, sample=False)
    issues.add_argument("--label-col")
    issues.add_argument("--tokenizer", choices=["word", "char", "jieba"])
    issues.add_argument("--limit", type=int, help="list at most this many rows")

    suggest = commands.add_parser("suggest", help="the unlabelled texts to label next (active learning)")
    suggest.add_argument("data", help=data_help + " (the labelled texts so far)")
    _data_options(suggest, sample=False)
    suggest.add_argument("--label-col")
    suggest.add_argument("--unlabelled", required=True, metavar="POOL", help="a file of texts without labels")
    suggest.add_argument("--n", type=int, default=20, help="how many to propose (default 20)")
    suggest.add_argument("--tokenizer", choices=["word", "char", "jieba"])

    curve = commands.add_parser("curve", help="test accuracy at 10-100 %% of the training rows: will more data help?")
    curve.add_argument("data", help=data_help + " (training rows)")
    curve.add_argument("test", help="a labelled file to score on")
    _data_options(curve, sample=False)
    curve.add_argument("--label-col")
    curve.add_argument("--tokenizer", choices=["word", "char", "jieba"])

    serve = commands.add_parser("serve", help="answer predictions over HTTP (FastAPI) for one or more bundles")
    serve.add_argument("models", nargs="+", metavar="MODEL_DIR", help="bundle folders; each is named by its folder")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--max-texts", type=int, default=1000, metavar="N", help="texts per request at most (default 1000)")
    serve.add_argument("--max-chars", type=int, default=20000, metavar="N", help="characters per text at most (default 20000)")
    serve.add_argument("--ray", action="store_true",
                       help="run it as a Ray Serve deployment on $STUDIO_RAY_ADDRESS (a local Ray instance when unset); "
                            "needs requirements-cluster.txt")
    serve.add_argument("--replicas", type=int, default=2, metavar="N", help="with --ray: copies of the service (default 2)")

    inspect = commands.add_parser("inspect", help="describe a data file or a model bundle")
    inspect.add_argument("path")
    _data_options(inspect)
    inspect.add_argument("--label-col")
    return parser


def _load(args):
    """Read ``args.data``/``args.path`` with the shared options; returns (table, dataset, report)."""
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.data.dataset import CleaningChoices, read_dataset

    return read_dataset(getattr(args, "data", None) or args.path, args.text_col, args.label_col, args.encoding,
                        args.sheet, CleaningChoices(sample_rows=args.sample))


def _progress(tokenizer: str):
    """The training run's progress on stderr: the split and device, each epoch, and when
    Automatic's first model is usable."""
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.training.train import TrainingCallback

    began = time.perf_counter()

    class Progress(TrainingCallback):
        def on_train_begin(self, info):
            print(f"training on {info['device']['name']}: {info['train']} train / {info['validation']} validation / "
                  f"{info['test']} test rows, tokenizer {tokenizer}, length {info['max_length']}", file=sys.stderr)

        def on_epoch_end(self, epoch, logs):
            print(f"epoch {epoch}: " + ", ".join(f"{k} {v:.4f}" for k, v in logs.items()), file=sys.stderr)

        def on_model_ready(self, candidate, val_accuracy, make_bundle, test_texts, test_labels):
            print(f"ready: {candidate} validation {val_accuracy:.4f} after {time.perf_counter() - began:.1f} s "
                  "(Automatic trains the network next)", file=sys.stderr)

    return Progress()


def cmd_train(args) -> dict:
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.base.files import check_replaceable
    from core.models.bundle import BUNDLE_FILES

    # The output folder and the data first: refused before minutes of training, and before
    # TensorFlow takes seconds to import.
    check_replaceable(args.out, BUNDLE_FILES, "bundle")
    _, dataset, report = _load(args)
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.text import default_config
    from core.training.presets import choose, profile
    from core.training.request import TrainingRequest, run_training

    print(f"data: {report.rows_kept} rows kept of {report.rows_total}; classes {report.class_counts}", file=sys.stderr)
    preprocess = default_config(dataset.texts)
    if args.tokenizer:
        preprocess = replace(preprocess, tokenizer=args.tokenizer)
    preset = choose(profile(dataset.texts, dataset.labels, preprocess))[args.preset]
    overrides = {setting.name: getattr(args, setting.short) for setting in cli_settings()
                 if getattr(args, setting.short) is not None}
    if args.model in ("lstm", "gru"):
        overrides["rnn"] = args.model
    plan = preset.plan(overrides, preprocess)
    model_config, train_config, preprocess = plan.model, plan.train, plan.preprocess
    print(f"preset {args.preset}: {model_config.rnn} {model_config.lstm_units} units, {train_config.epochs} epochs, "
          f"batch {train_config.batch_size}, length {preprocess.max_length}; about {preset.seconds_per_epoch:.0f} s "
          "per epoch on this machine", file=sys.stderr)

    request = TrainingRequest(dataset, preprocess, "network" if args.model in ("lstm", "gru") else args.model,
                              model_config, train_config, *_word_vectors(args, dataset))
    made: dict = {}

    def vectors_said(event, **fields):
        if fields.get("words"):
            made.update(fields)
            print(f"word vectors: {fields['words']:,} words of {fields['dim']} dimensions from {fields['source']} "
                  f"in {fields['seconds']:.1f} s", file=sys.stderr)
        elif fields.get("total"):
            print(f"vectors: pass {fields['done']} of {fields['total']}, about {fields['seconds_left']:.0f} s left",
                  file=sys.stderr)

    result = run_training(request, _progress(preprocess.tokenizer), None, vectors_said)
    result.bundle.save(args.out)
    info = result.bundle.info
    summary = {"preset": args.preset, "model": args.model if args.model in ("tfidf", "auto") else model_config.rnn,
               "val_accuracy": round(info.val_accuracy, 4), "epochs": info.epochs,
               "train_seconds": round(result.train_seconds, 1), "bundle": str(args.out)}
    if info.test:
        summary["test_accuracy"] = round(info.test.accuracy, 4)
    if info.auto is not None:
        summary["chosen"] = info.auto.chosen
        summary["candidates"] = {row.name: {key: value for key, value in asdict(row).items()
                                            if key != "name" and value is not None} for row in info.candidates}
        print("automatic: " + "; ".join(f"{row.name} validation {row.val_accuracy:.4f}" for row in info.candidates)
              + f"; kept {info.auto.chosen}", file=sys.stderr)
    if made:
        started_from = info.vectors or (info.auto.vectors if info.auto else None)
        summary["vectors"] = {**(asdict(started_from) if started_from else {}), "words": made["words"],
                              "unlabelled_texts": len(request.unlabelled)}
    if info.baseline:
        summary["baseline_accuracy"] = round(info.baseline.accuracy, 4)
        print(f"{info.baseline.name} on the same split: accuracy {info.baseline.accuracy:.4f} "
              f"(trained in {info.baseline.train_seconds} s)", file=sys.stderr)
    return summary


def _word_vectors(args, dataset):
    """``(VectorsSource, unlabelled texts)`` of the command line: ``--vectors`` (a file), else
    learned from the labelled texts and the unlabelled ones (``--unlabelled`` files and rows
    without a label) when there are any of the latter; else none."""
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.data.dataset import load_table, unlabelled_texts
    from core.training.request import VectorsSource

    if args.model == "tfidf" or not (args.vectors or args.unlabelled):
        return VectorsSource(), ()
    texts = list(dataset.unlabelled)
    for path in args.unlabelled:
        texts += unlabelled_texts(load_table(path, encoding=args.encoding))
    if not args.vectors:
        print(f"learning word vectors from {len(dataset.texts):,} labelled and {len(texts):,} unlabelled texts",
              file=sys.stderr)
    return VectorsSource.parse(args.vectors or "learn"), tuple(texts)


def cmd_evaluate(args) -> dict:
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.data.dataset import CleaningChoices, guess_columns, load_table, text_column_spec, validate
    from core.models.bundle import Bundle
    from core.models.evaluate import evaluate
    from core.service.batch import text_columns_for

    bundle = Bundle.load(args.bundle)
    table = load_table(args.data, encoding=args.encoding, sheet=args.sheet)
    frame = table.frame
    # Columns: as given, else the ones the model was trained on when this file has them, else the guess.
    trained = bundle.info.data
    text_cols = text_columns_for(bundle, frame, text_column_spec(args.text_col, frame.columns))
    label_col = args.label_col or (trained.label_column if trained.label_column in frame.columns
                                   else guess_columns(frame)[1])
    dataset, _ = validate(frame, text_cols, label_col, CleaningChoices(sample_rows=args.sample))
    metrics = evaluate(bundle, dataset.texts, dataset.labels)
    print("per class: " + "; ".join(f"{row['label']} P {row['precision']:.3f} R {row['recall']:.3f} F1 {row['f1']:.3f}"
                                    for row in metrics.per_class), file=sys.stderr)
    return {"accuracy": round(metrics.accuracy, 4), "macro_f1": round(metrics.macro_f1, 4), "n": metrics.n}


def cmd_predict(args) -> dict:
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.base.errors import UserError
    from core.models.bundle import Bundle

    if (args.text is None) == (args.file is None):
        raise _UsageError("give either a TEXT or --file FILE (see 'python -m core predict --help')")
    if args.file is None:
        if not args.text.strip():
            raise UserError("err.empty_text")
        return Bundle.load(args.bundle).predict_one(args.text)
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.base.files import write_bytes
    from core.data.dataset import load_table, text_column_spec
    from core.service.batch import predict_table, skipped_counts, table_bytes, text_columns_for

    bundle = Bundle.load(args.bundle)
    table = load_table(args.file, encoding=args.encoding, sheet=args.sheet, keep_bad_lines=True)
    for finding in table.findings:   # what the reader noticed (lines kept without a prediction …), as on the page
        print(f"note: {finding.to_dict()['message']}", file=sys.stderr)
    columns = text_columns_for(bundle, table.frame, text_column_spec(args.text_col, table.frame.columns))
    result = predict_table(bundle, table.frame, columns, kept_lines=table.kept_lines)
    out = Path(args.out or f"{Path(args.file).stem}-predictions.csv")
    # Whole or not at all: a run cut short leaves the file that was there (or none), never half of one.
    write_bytes(out, table_bytes(result, "xlsx" if out.suffix.lower() == ".xlsx" else "csv"))
    counts = result["predicted_label"].value_counts()
    skipped = skipped_counts(result)
    print(f"wrote {len(result)} rows to {out}" + (f", {sum(skipped.values())} without a prediction (column 'reason')"
                                                 if any(skipped.values()) else ""), file=sys.stderr)
    return {"rows": len(result), "predicted": {label: int(counts.get(label, 0)) for label in bundle.labels},
            "skipped_empty": skipped["empty"], "skipped_malformed": skipped["malformed"],
            "malformed_lines": [line for line, _ in table.kept_lines.values()], "text_col": " + ".join(columns),
            "out": str(out)}


def cmd_explain(args) -> dict:
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.evaluation.explain import explain, top_tokens, weight_text
    from core.models.bundle import Bundle

    result = explain(Bundle.load(args.bundle), args.text, args.label)
    print(f"towards {result['label']} (change in log-odds without each word): "
          + ", ".join(f"{token} {weight_text(weight)}" for token, weight in top_tokens(result)), file=sys.stderr)
    return result


def cmd_export(args) -> dict:
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.models.bundle import Bundle

    if args.zip:
        # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
        from core.models.package import bundle_zip

        data = bundle_zip(args.bundle, args.name or Path(args.bundle).resolve().name)
        Path(args.zip).write_bytes(data)
        return {"zip": args.zip, "bytes": len(data)}
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.base.files import check_replaceable
    from core.models.export import SAVEDMODEL_FILES, export_savedmodel

    check_replaceable(args.savedmodel, SAVEDMODEL_FILES, "savedmodel")
    bundle = Bundle.load(args.bundle)
    directory = export_savedmodel(bundle, args.savedmodel)
    print(f"serve it with: docker run -p 8501:8501 -v {Path(directory).resolve()}:/models/m/1 "
          "-e MODEL_NAME=m tensorflow/serving", file=sys.stderr)
    return {"savedmodel": str(directory), "signature": "serving_default", "input": "text",
            "outputs": ["probabilities", "label"], "labels": bundle.labels}


def cmd_inspect(args) -> dict:
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.models.bundle import Bundle

    if Path(args.path).is_dir():
        bundle = Bundle.load(args.path)
        return {"kind": "bundle", "labels": bundle.labels, "preprocess": bundle.preprocess.to_dict(),
                "vocabulary_size": len(bundle.vocabulary), "settings": bundle.settings,
                "metrics": {k: v for k, v in bundle.metrics.items() if k != "history"}}
    table, dataset, report = _load(args)
    for finding in report.findings:
        print(f"{finding.severity}: {finding.to_dict()['message']}", file=sys.stderr)
    return {"kind": "data", "format": table.kind, "rows": report.rows_kept, "encoding": table.encoding,
            "delimiter": table.delimiter, "sheet": table.sheet, "sheets": table.sheets, "text_col": dataset.text_column, "label_col": dataset.label_column,
            "classes": report.class_counts, "findings": [finding.to_dict() for finding in report.findings],
            "report": {key: value for key, value in report.to_dict().items() if key not in ("findings", "class_counts")}}


def _labelled(path, args):
    """``(rows, texts, labels, preprocess)`` of a labelled file: every row with a text and a
    label, numbered as in the file; the app's automatic cleaning and tokenizer (``--tokenizer``
    overrides it)."""
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.data.dataset import check_columns, chosen_columns, labelled_rows, load_table
    from core.text import default_config

    frame = load_table(path, encoding=args.encoding, sheet=args.sheet).frame
    text_columns, label_column = chosen_columns(frame, args.text_col, args.label_col)
    rows, texts, labels = labelled_rows(frame, check_columns(frame, text_columns, label_column), label_column)
    preprocess = default_config(texts) if texts else default_config(["x"])
    if args.tokenizer:
        preprocess = replace(preprocess, tokenizer=args.tokenizer)
    return rows, texts, labels, preprocess


def cmd_label_issues(args) -> list:
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.evaluation.labels import label_issues

    rows, texts, labels, preprocess = _labelled(args.data, args)
    found = label_issues(texts, labels, preprocess, limit=args.limit)
    print(f"{len(found)} of {len(rows)} labelled rows look mislabelled", file=sys.stderr)
    return [{**issue.to_dict(), "row": rows[issue.row]} for issue in found]


def cmd_suggest(args) -> list:
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.data.dataset import load_table, unlabelled_texts
    from core.evaluation.active import Pool

    _, texts, labels, preprocess = _labelled(args.data, args)
    pool_texts = unlabelled_texts(load_table(args.unlabelled, encoding=args.encoding))
    pool = Pool(pool_texts, preprocess)
    picked = pool.propose({}, args.n, texts, labels)     # never a text already labelled
    print(f"{len(picked)} of {len(pool_texts):,} unlabelled texts proposed ({pool.seconds:.1f} s to read the pool)",
          file=sys.stderr)
    return [{"row": row, "text": pool_texts[row]} for row in picked]


def cmd_curve(args) -> dict:
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.evaluation.curve import learning_curve

    _, texts, labels, preprocess = _labelled(args.data, args)
    _, test_texts, test_labels, _ = _labelled(args.test, args)
    result = learning_curve(texts, labels, test_texts, test_labels, preprocess)
    print(result["reading"], file=sys.stderr)
    return {"points": result["points"], "rows": result["rows"], "reading": result["reading"]}


def cmd_serve(args) -> dict:
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.service.serve import Limits, serve, serve_ray

    if not 0 < args.port < 65536:
        raise _UsageError(f"--port must be between 1 and 65535, not {args.port} (see 'python -m core serve --help')")
    if args.max_texts < 1 or args.max_chars < 1:
        raise _UsageError("--max-texts and --max-chars must be at least 1 (see 'python -m core serve --help')")
    limits = Limits(max_texts=args.max_texts, max_text_chars=args.max_chars,
                    max_body_bytes=max(Limits.max_body_bytes, 4 * args.max_texts * min(args.max_chars, 2000)))
    announce = lambda line: print(line + " — Ctrl-C stops it", file=sys.stderr, flush=True)  # noqa: E731
    if args.ray:
        if args.replicas < 1:
            raise _UsageError("--replicas must be at least 1 (see 'python -m core serve --help')")
        return serve_ray(args.models, args.host, args.port, limits=limits, replicas=args.replicas, announce=announce)
    return serve(args.models, args.host, args.port, limits=limits, announce=announce)


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict, "explain": cmd_explain,
            "export": cmd_export, "inspect": cmd_inspect, "label-issues": cmd_label_issues, "suggest": cmd_suggest,
            "curve": cmd_curve, "serve": cmd_serve}


def _recover_folders(args) -> None:
    """Settle what a crash between the renames of an earlier ``train --out`` or ``export
    --savedmodel`` left (only hidden ``.NAME.old-…`` / ``.NAME.new-…`` folders): the folders
    this command reads or writes are put back whole first (:func:`core.base.files.recover`), as the
    app's store does at its start."""
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.base.files import recover

    folders = [getattr(args, "bundle", None), getattr(args, "savedmodel", None), getattr(args, "path", None)]
    if args.command == "train":
        folders.append(args.out)
    for folder in folders:
        if isinstance(folder, str) and folder and recover(Path(folder)):
            print(f"{folder}: put back whole after an earlier run was cut short", file=sys.stderr)


def main(argv=None) -> int:
    """Run one command; return the process exit code (0 ok, 2 user error, 1 internal error)."""
    _quiet_tensorflow()
    # lazy: a command loads only what it needs (pandas, TensorFlow), so --help and a wrong argument answer at once
    from core.base.errors import UserError

    try:
        args = build_parser().parse_args(argv)
        started = time.perf_counter()
        _recover_folders(args)
        result = COMMANDS[args.command](args)
        print(f"done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        print(json.dumps(result, ensure_ascii=False))
        return 0
    except (UserError, _UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: one line for the user, never a traceback
        print(f"internal error: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''} "
              "(please report this)", file=sys.stderr)
        return 1
