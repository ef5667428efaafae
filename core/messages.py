"""Message texts for :mod:`core.i18n`: ``key → {"en": ..., "zh": ...}``.

Keys are grouped by where they appear: ``err.`` errors, ``warn.`` data warnings, ``app.`` the
sidebar and home, ``data.``, ``prep.``, ``train.``, ``eval.``, ``pred.`` the pages.
"""

MESSAGES: dict[str, dict[str, str]] = {
    # -- errors (core.errors.UserError) ---------------------------------------------------------
    "err.file_not_found": {
        "en": "File not found: {path}. Check the path and try again.",
        "zh": "找不到文件：{path}。请检查路径后重试。",
    },
    "err.file_is_folder": {
        "en": "{path} is a folder, not a data file. Give a CSV, Excel or JSON Lines file.",
        "zh": "{path} 是文件夹而不是数据文件。请提供 CSV、Excel 或 JSON Lines 文件。",
    },
    "err.file_empty": {
        "en": "The file {name} is empty. Choose a file with a header row and at least a few labelled rows.",
        "zh": "文件 {name} 是空的。请选择包含表头和若干已标注行的文件。",
    },
    "err.file_too_large": {
        "en": "The file is {mb} MB; the limit is {limit} MB. Upload a smaller sample of your data.",
        "zh": "文件大小为 {mb} MB，上限为 {limit} MB。请上传较小的数据样本。",
    },
    "err.unknown_format": {
        "en": "Cannot read {name}: use a CSV, TSV, Excel (.xlsx) or JSON Lines (.jsonl) file.",
        "zh": "无法读取 {name}：请使用 CSV、TSV、Excel（.xlsx）或 JSON Lines（.jsonl）文件。",
    },
    "err.unreadable": {
        "en": "Cannot read {name} as a table ({detail}). Save it again as CSV (UTF-8) and retry.",
        "zh": "无法将 {name} 读取为表格（{detail}）。请另存为 CSV（UTF-8）后重试。",
    },
    "err.bad_encoding": {
        "en": "The file cannot be decoded as {encoding}. Choose another encoding or save it as UTF-8.",
        "zh": "无法按 {encoding} 编码解码该文件。请选择其他编码，或另存为 UTF-8。",
    },
    "err.missing_column": {
        "en": "There is no column named '{column}'. Columns in this file: {columns}.",
        "zh": "没有名为“{column}”的列。该文件中的列：{columns}。",
    },
    "err.same_columns": {
        "en": "The text column and the label column are the same. Choose two different columns.",
        "zh": "文本列和标签列是同一列。请选择两个不同的列。",
    },
    "err.no_usable_rows": {
        "en": "No usable rows: every row has an empty text or label ({dropped} dropped). Check the chosen columns.",
        "zh": "没有可用的行：每一行的文本或标签都为空（已丢弃 {dropped} 行）。请检查所选的列。",
    },
    "err.only_one_class": {
        "en": "Only one class ('{label}') in column '{column}': a classifier needs at least two. Add examples of other classes or choose another label column.",
        "zh": "“{column}”列中只有一个类别（“{label}”）：分类器至少需要两个类别。请添加其他类别的样本，或选择另一个标签列。",
    },
    "err.too_few_rows": {
        "en": "Only {n} usable rows: at least {minimum} are needed to train and check a model. Add more labelled examples.",
        "zh": "只有 {n} 行可用数据：训练和检验模型至少需要 {minimum} 行。请添加更多已标注的样本。",
    },
    "err.batch_too_large": {
        "en": "Batch size {batch} is larger than the training part of the data ({n} rows in all). Choose a smaller batch size.",
        "zh": "批大小 {batch} 超过了训练数据的规模（共 {n} 行）。请选择更小的批大小。",
    },
    "err.bad_setting": {
        "en": "Setting '{name}' cannot be {value}. Allowed: {allowed}.",
        "zh": "设置“{name}”不能为 {value}。允许的取值：{allowed}。",
    },
    "err.bundle_missing": {
        "en": "No model bundle at {path}. Train one first with 'python -m core train DATA --out {path}'.",
        "zh": "{path} 处没有模型包。请先用 'python -m core train DATA --out {path}' 训练一个。",
    },
    "err.bundle_incomplete": {
        "en": "{path} is not a complete model bundle (missing: {missing}). Train or download it again.",
        "zh": "{path} 不是完整的模型包（缺少：{missing}）。请重新训练或下载。",
    },
    "err.bundle_unreadable": {
        "en": "The model bundle at {path} cannot be loaded ({detail}). Train or download it again.",
        "zh": "无法加载 {path} 处的模型包（{detail}）。请重新训练或下载。",
    },
    "err.empty_text": {
        "en": "The text is empty. Type or paste a text to classify.",
        "zh": "文本为空。请输入或粘贴要分类的文本。",
    },
    "err.not_excel": {
        "en": "{name} is not an Excel workbook (it may be a CSV renamed to .xlsx). Rename it to .csv, or save it again from Excel.",
        "zh": "{name} 不是 Excel 工作簿（可能是被改名为 .xlsx 的 CSV）。请改名为 .csv，或在 Excel 中重新保存。",
    },
    "err.no_such_sheet": {
        "en": "There is no sheet named '{sheet}'. Sheets in this workbook: {sheets}.",
        "zh": "没有名为“{sheet}”的工作表。该工作簿中的工作表：{sheets}。",
    },
    # -- findings (core.findings) ---------------------------------------------------------------
    "find.duplicates": {
        "en": "{n} rows repeat an earlier row exactly (same text, same label). They make the model's scores look better than they are; dropping them is usually right.",
        "zh": "有 {n} 行与之前的某行完全相同（文本和标签都相同）。它们会让模型的分数虚高，通常应当删除。",
    },
    "find.conflicts": {
        "en": "{n} texts appear with different labels. The model cannot get both right; fix the labels, or drop these rows.",
        "zh": "有 {n} 条文本带有不同的标签。模型无法同时判对；请修正标签，或删除这些行。",
    },
    "find.label_variants": {
        "en": "Some labels differ only by capital letters or spaces and are probably the same class: {groups}. Merge them?",
        "zh": "有些标签只在大小写或空格上不同，可能是同一类别：{groups}。要合并它们吗？",
    },
    "find.single": {
        "en": "These classes have a single example, so they cannot be split into training and test data: {labels}. Add examples, merge them into another class, or drop them.",
        "zh": "以下类别只有一个样本，无法划分到训练集和测试集：{labels}。请补充样本、并入其他类别，或删除它们。",
    },
    "find.imbalance": {
        "en": "Classes are unbalanced: '{big}' has {big_n} examples, '{small}' only {small_n} ({ratio}× fewer). The model will lean towards the big classes; add examples of the small ones if you can, and judge it by macro-F1, not accuracy.",
        "zh": "类别不均衡：“{big}”有 {big_n} 个样本，而“{small}”只有 {small_n} 个（相差 {ratio} 倍）。模型会偏向大类；如有可能请为小类补充样本，并以宏平均 F1 而非准确率来评判模型。",
    },
    "find.short": {
        "en": "{n} texts are shorter than {chars} characters; they give the model little to go on.",
        "zh": "有 {n} 条文本短于 {chars} 个字符，模型很难据此判断。",
    },
    "find.long": {
        "en": "{n} texts are longer than {chars} characters; only their beginning is used for training (see the padding length on the Preprocess page).",
        "zh": "有 {n} 条文本长于 {chars} 个字符；训练时只使用其开头部分（见“预处理”页的填充长度）。",
    },
    "find.mojibake": {
        "en": "{n} texts contain garbled characters such as 'Ã©' or 'å£': the file was probably saved in one encoding and read in another. Choose another encoding above, or save the file as UTF-8.",
        "zh": "有 {n} 条文本含有“Ã©”“å£”之类的乱码：文件可能以一种编码保存、却按另一种编码读取。请在上方选择其他编码，或将文件另存为 UTF-8。",
    },
    "find.language_mix": {
        "en": "The texts mix languages: {zh} mostly Chinese, {other} mostly other scripts. One model can learn both, but each language has fewer examples.",
        "zh": "文本混合了多种语言：{zh} 以中文为主，{other} 以其他文字为主。一个模型可以同时学习，但每种语言的样本会更少。",
    },
    # -- data warnings (core.findings) ----------------------------------------------------------
    "warn.many_labels": {
        "en": "Column '{column}' has {n} different labels — it looks like free text rather than classes. Check that it is the right label column.",
        "zh": "“{column}”列有 {n} 个不同的标签，看起来更像自由文本而非类别。请确认它是正确的标签列。",
    },
    "warn.small_classes": {
        "en": "These classes have fewer than {n} examples, so the model will barely learn them: {labels}. Add examples if you can.",
        "zh": "以下类别的样本少于 {n} 个，模型很难学会它们：{labels}。如有可能请补充样本。",
    },
}
