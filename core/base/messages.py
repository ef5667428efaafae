"""Message texts for :mod:`core.base.i18n`: ``key → {"en": ..., "zh": ...}``.

Keys are grouped by where they appear: ``err.`` errors, ``warn.`` data warnings, ``app.`` the
sidebar and home, ``data.``, ``prep.``, ``train.``, ``eval.``, ``pred.`` the pages.
"""

MESSAGES: dict[str, dict[str, str]] = {
    # -- errors (core.base.errors.UserError) ---------------------------------------------------------
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
    "err.parse_memory": {
        "en": "This file needs more memory than the server allows for reading one upload ({mb} MB), so it was not "
              "read. Split it into smaller files (or save it again as CSV); an administrator can raise "
              "STUDIO_PARSE_MEMORY_MB.",
        "zh": "读取这个文件所需的内存超过了服务器对单次上传的上限（{mb} MB），因此没有读取。请把它拆成较小的文件"
              "（或另存为 CSV）；管理员可以调高 STUDIO_PARSE_MEMORY_MB。",
    },
    "err.parse_time": {
        "en": "Reading this file took longer than the server allows for one upload ({seconds} s), so it was stopped. "
              "Split it into smaller files (or save it again as CSV); an administrator can raise STUDIO_PARSE_SECONDS.",
        "zh": "读取这个文件的时间超过了服务器对单次上传的上限（{seconds} 秒），已停止读取。请把它拆成较小的文件"
              "（或另存为 CSV）；管理员可以调高 STUDIO_PARSE_SECONDS。",
    },
    "err.unknown_format": {
        "en": "Cannot read {name}: use a CSV, TSV, Excel (.xlsx, .xls), JSON / JSON Lines or .zip file.",
        "zh": "无法读取 {name}：请使用 CSV、TSV、Excel（.xlsx、.xls）、JSON / JSON Lines 或 .zip 文件。",
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
    "err.out_not_empty_bundle": {
        "en": "{path} already holds files that are not part of a model bundle (e.g. {found}); nothing was written and nothing deleted. Choose a new or empty folder.",
        "zh": "{path} 中已有不属于模型包的文件（例如 {found}）；未写入也未删除任何内容。请选择一个新的或空的文件夹。",
    },
    "err.out_not_empty_savedmodel": {
        "en": "{path} already holds files that are not part of a SavedModel (e.g. {found}); nothing was written and nothing deleted. Choose a new or empty folder.",
        "zh": "{path} 中已有不属于 SavedModel 的文件（例如 {found}）；未写入也未删除任何内容。请选择一个新的或空的文件夹。",
    },
    "err.vectors_bomb": {
        "en": "{name} unpacks to more than {mb} MB ({ratio}× its size): it is not a vectors file this app can read. "
              "Upload the vectors unpacked or as a normal .gz.",
        "zh": "{name} 解压后超过 {mb} MB（是其大小的 {ratio} 倍以上），不是本应用能读取的词向量文件。请上传未压缩或正常的 .gz 文件。",
    },
    "err.vectors_line": {
        "en": "{name} has a line longer than {kb} KB: it is not a word-vectors file (one word and its numbers per line).",
        "zh": "{name} 中有一行超过 {kb} KB：这不是词向量文件（每行应为一个词和它的数字）。",
    },
    "err.vectors_not_finite": {
        "en": "{name} holds a vector that is not a number (NaN or infinity) on line {line}; a model started from it "
              "would predict nothing. Fix or remove that line, or use another vectors file.",
        "zh": "{name} 第 {line} 行的向量含有非数字（NaN 或无穷大）；用它训练的模型将无法预测。请修正或删除该行，或换一个词向量文件。",
    },
    "err.model_not_finite": {
        "en": "Training produced weights that are not numbers (NaN or infinity), so the model was not saved: it would give "
              "every text the same class. Lower the learning rate, or check the word vectors, and train again.",
        "zh": "训练得到的权重不是数字（NaN 或无穷大），因此没有保存这个模型：它会把所有文本判为同一类。请降低学习率或检查词向量后重新训练。",
    },
    "err.label_check_too_few": {
        "en": "The label check needs at least two rows of some class to compare with; each of the {n} rows has a class "
              "of its own. Label more rows, then check again.",
        "zh": "标签检查至少需要某个类别有两行可供比较；这 {n} 行每行都是单独的类别。请多标注一些行后再检查。",
    },
    "err.curve_no_test": {
        "en": "The test file has no labelled rows (a text and a label), so there is nothing to score the curve on. "
              "Give a test file with labels in the same column.",
        "zh": "测试文件中没有已标注的行（文本和标签），无法计算曲线。请提供在同一列中带有标签的测试文件。",
    },
    "err.curve_other_classes": {
        "en": "The test file's classes ({test}) share none with the training file's ({train}): every answer would be "
              "wrong. Check the label column of both files.",
        "zh": "测试文件的类别（{test}）与训练文件的类别（{train}）没有任何相同：每个预测都会是错的。请检查两个文件的标签列。",
    },
    "err.out_not_folder": {
        "en": "{path} is a file, not a folder; nothing was written. Choose a new or empty folder.",
        "zh": "{path} 是一个文件，不是文件夹；未写入任何内容。请选择一个新的或空的文件夹。",
    },
    "err.unlabelled_empty": {
        "en": "{name} holds no texts in the column that looks like text. Upload a file with one text per row (a CSV, Excel, JSON Lines or text file).",
        "zh": "{name} 中看起来是文本的那一列没有任何文本。请上传每行一条文本的文件（CSV、Excel、JSON Lines 或文本文件）。",
    },
    "err.vectors_no_text": {
        "en": "There are no texts to learn word vectors from. Add texts (labelled or not) and try again.",
        "zh": "没有可用于学习词向量的文本。请添加文本（带标签或不带标签均可）后重试。",
    },
    "err.vectors_format": {
        "en": "{name} is not a word-vectors file this app reads (line {line}): use word2vec text or binary, GloVe text or a fastText .vec file, gzipped or not.",
        "zh": "{name} 不是本应用可读取的词向量文件（第 {line} 行）：请使用 word2vec 文本或二进制格式、GloVe 文本或 fastText .vec 文件（可为 gzip 压缩）。",
    },
    "err.vectors_coverage": {
        "en": "{name} has a vector for only {share} of your words (at least {minimum} are needed): it is for another language or another tokenization. Choose vectors that match your texts, or learn them from your texts.",
        "zh": "{name} 只覆盖了您 {share} 的词（至少需要 {minimum}）：它适用于其他语言或其他切分方式。请选择与您的文本匹配的词向量，或从您的文本中学习。",
    },
    "err.unknown_setting": {
        "en": "There is no setting '{name}'. Did you mean {close}? (all settings: 'python -m core train --help')",
        "zh": "没有名为“{name}”的设置。您是否想用 {close}？（全部设置见 'python -m core train --help'）",
    },
    "err.serve_same_name": {
        "en": "Two models are both called '{name}' ({first} and {second}); a served model is named by its folder. Rename one folder.",
        "zh": "两个模型都叫 '{name}'（{first} 和 {second}）；服务中的模型以文件夹名命名。请重命名其中一个文件夹。",
    },
    "err.ray_missing": {
        "en": "STUDIO_RAY_ADDRESS is set ({address}) but Ray is not installed. Install it with "
              "'pip install -r requirements-cluster.txt', or unset STUDIO_RAY_ADDRESS to train on this machine.",
        "zh": "已设置 STUDIO_RAY_ADDRESS（{address}），但没有安装 Ray。请运行 'pip install -r requirements-cluster.txt' 安装，"
              "或取消 STUDIO_RAY_ADDRESS 以在本机训练。",
    },
    "err.ray_connect": {
        "en": "Cannot reach the Ray cluster at '{address}' ({detail}). Check STUDIO_RAY_ADDRESS and that the cluster is up, "
              "or unset it to train on this machine.",
        "zh": "无法连接 '{address}' 上的 Ray 集群（{detail}）。请检查 STUDIO_RAY_ADDRESS 以及集群是否在运行，或取消它以在本机训练。",
    },
    "err.ray_vectors_missing": {
        "en": "The word-vectors file {path} is not on the cluster node {node} that took this run. Put the server's "
              "vectors folder (STUDIO_VECTORS_DIR) at the same path on every node, or choose 'Learned from my texts'.",
        "zh": "接手此次训练的集群节点 {node} 上没有词向量文件 {path}。请把服务器的词向量文件夹（STUDIO_VECTORS_DIR）"
              "放到每个节点的相同路径，或选择“从我的文本学习”。",
    },
    "err.ray_batch_lost": {
        "en": "Every Ray worker predicting this file stopped (their nodes left the cluster), so no predictions were "
              "written. Try again when the cluster has nodes again, or unset STUDIO_RAY_ADDRESS to predict here.",
        "zh": "为这个文件做预测的所有 Ray 工作进程都已停止（它们所在的节点离开了集群），因此没有写出任何预测。"
              "请等集群恢复节点后重试，或取消 STUDIO_RAY_ADDRESS 在本机预测。",
    },
    "err.ray_cancelled": {
        "en": "Stopped before the cluster started it: nothing was trained. Start it again when you are ready.",
        "zh": "在集群开始训练之前已停止：没有训练任何内容。准备好后请重新开始。",
    },
    "err.serve_port": {
        "en": "Cannot listen on {host}:{port} ({reason}). Choose another port with --port, or stop what uses it.",
        "zh": "无法在 {host}:{port} 上监听（{reason}）。请用 --port 换一个端口，或停止占用它的程序。",
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
    "err.bundle_newer": {
        "en": "The model bundle at {path} was made by a newer version of the app (bundle format {version}, this app reads up to {known}). Update the app to use it.",
        "zh": "{path} 处的模型包由更新版本的应用生成（包格式 {version}，本应用最高可读 {known}）。请更新应用后再使用。",
    },
    "err.empty_text": {
        "en": "The text is empty. Type or paste a text to classify.",
        "zh": "文本为空。请输入或粘贴要分类的文本。",
    },
    "err.unknown_label": {
        "en": "'{label}' is not one of this model's classes: {labels}.",
        "zh": "“{label}”不是该模型的类别。可选类别：{labels}。",
    },
    "err.threshold_two_classes": {
        "en": "A decision threshold needs a model with two classes; this one has {n}. Its answer is always the most probable class.",
        "zh": "决策阈值只适用于两个类别的模型；该模型有 {n} 个类别，它总是给出概率最高的类别。",
    },
    "err.curves_one_class": {
        "en": "The test texts hold only one of the two classes, so ROC and precision-recall curves cannot be drawn. Test on data with both classes.",
        "zh": "测试文本只包含两个类别中的一个，无法绘制 ROC 曲线和精确率-召回率曲线。请用包含两个类别的数据测试。",
    },
    "err.export_jieba": {
        "en": "This model segments Chinese words with jieba, which cannot run inside a TensorFlow graph, so it cannot be exported for TensorFlow Serving. Train it with the 'char' tokenizer to export it, or serve the bundle with 'python -m core predict'.",
        "zh": "该模型使用 jieba 进行中文分词，而 jieba 无法在 TensorFlow 计算图中运行，因此不能导出给 TensorFlow Serving。若要导出，请改用“字”分词方式训练，或用 'python -m core predict' 使用该模型包。",
    },
    "err.export_tfidf": {
        "en": "The SavedModel export is for the neural network; this is a linear model (TF-IDF + logistic regression, NB-LR or a linear SVM). Download its bundle (.zip) instead and use it with 'python -m core predict'.",
        "zh": "SavedModel 导出只适用于神经网络；这是线性模型（TF-IDF + 逻辑回归、NB-LR 或线性 SVM）。请下载其模型包（.zip），并用 'python -m core predict' 使用。",
    },
    "err.export_blend": {
        "en": "The SavedModel export is for the neural network alone; Automatic kept a blend of the network and TF-IDF + logistic regression, which TensorFlow Serving cannot run as one graph. Download its bundle (.zip) instead and use it with 'python -m core predict', or train the network alone to export it.",
        "zh": "SavedModel 导出只适用于单独的神经网络；“自动”保留的是神经网络与 TF-IDF + 逻辑回归的混合模型，TensorFlow Serving 无法把它作为一个计算图运行。请下载其模型包（.zip），并用 'python -m core predict' 使用；或单独训练神经网络再导出。",
    },
    "err.export_opencc": {
        "en": "This model converts Traditional to Simplified Chinese with OpenCC, which cannot run inside a TensorFlow graph, so it cannot be exported. Train it without that option to export it.",
        "zh": "该模型使用 OpenCC 将繁体转换为简体，而 OpenCC 无法在 TensorFlow 计算图中运行，因此不能导出。若要导出，请关闭该选项后重新训练。",
    },
    "err.bundle_upload_size": {
        "en": "This model file is {mb} MB, larger than the {limit} MB a model upload may be. Upload a bundle downloaded from this app.",
        "zh": "该模型文件有 {mb} MB，超过了上传模型的上限 {limit} MB。请上传从本应用下载的模型包。",
    },
    "err.bundle_upload_member": {
        "en": "{name} in this zip unpacks to {mb} MB (packed {ratio}×); a model bundle's {name} is at most {limit} MB and not packed that tightly. It was not unpacked. Upload a bundle downloaded from this app.",
        "zh": "该 zip 中的 {name} 解压后有 {mb} MB（压缩比 {ratio}×）；模型包的 {name} 最多 {limit} MB，且不会压缩得这么紧。已拒绝解压。请上传从本应用下载的模型包。",
    },
    "err.bundle_upload_unpacked": {
        "en": "This zip unpacks to {mb} MB in all, more than the {limit} MB a model bundle may hold. It was not unpacked. Upload a bundle downloaded from this app.",
        "zh": "该 zip 解压后共有 {mb} MB，超过模型包的上限 {limit} MB。已拒绝解压。请上传从本应用下载的模型包。",
    },
    "err.bundle_upload_damaged": {
        "en": "This zip is damaged ({name}: {detail}). Download the model again and upload the new file.",
        "zh": "该 zip 已损坏（{name}：{detail}）。请重新下载模型后上传新文件。",
    },
    "err.bundle_upload_not_zip": {
        "en": "This is not a .zip file. Upload a model downloaded from this app (a .zip bundle).",
        "zh": "这不是 .zip 文件。请上传从本应用下载的模型（.zip 模型包）。",
    },
    "err.bundle_upload_files": {
        "en": "The zip holds '{name}', which does not belong in a model bundle, so nothing was loaded. A bundle holds only: {allowed}.",
        "zh": "该 zip 中包含“{name}”，它不属于模型包，因此没有加载任何内容。模型包只包含：{allowed}。",
    },
    "err.bundle_upload_missing": {
        "en": "The zip is not a complete model bundle (missing: {missing}). Download the model again and upload that file.",
        "zh": "该 zip 不是完整的模型包（缺少：{missing}）。请重新下载模型并上传该文件。",
    },
    "err.bundle_upload_unsafe": {
        "en": "The model in this zip cannot be loaded safely ({detail}); nothing was loaded. Upload a bundle downloaded from this app.",
        "zh": "无法安全加载该 zip 中的模型（{detail}），未加载任何内容。请上传从本应用下载的模型包。",
    },
    "err.bad_workspace": {
        "en": "This workspace link is not valid. Open the app without '?ws=' to start a new workspace, or use the link you bookmarked.",
        "zh": "该工作区链接无效。请不带“?ws=”打开应用以新建工作区，或使用您收藏的链接。",
    },
    "err.model_not_found": {
        "en": "There is no model '{model_id}' in this workspace. Choose one from the models list.",
        "zh": "该工作区中没有模型“{model_id}”。请从模型列表中选择。",
    },
    "err.store_full": {
        "en": "This workspace already holds {n} models, the most it may keep ({limit}). Delete models you no longer need on the Models page, then train again.",
        "zh": "该工作区已有 {n} 个模型，达到上限（{limit} 个）。请在“模型”页删除不再需要的模型后再训练。",
    },
    "err.store_full_disk": {
        "en": "This workspace's models would use {mb} MB, more than the {limit} MB it may use. Delete models you no longer need on the Models page.",
        "zh": "该工作区的模型将占用 {mb} MB，超过上限 {limit} MB。请在“模型”页删除不再需要的模型。",
    },
    "err.empty_name": {
        "en": "The name is empty. Type a name for the model.",
        "zh": "名称为空。请为模型输入一个名称。",
    },
    "err.no_such_sheet": {
        "en": "There is no sheet named '{sheet}'. Sheets in this workbook: {sheets}.",
        "zh": "没有名为“{sheet}”的工作表。该工作簿中的工作表：{sheets}。",
    },
    "err.header_only": {
        "en": "{name} has a header row ({columns}) but no data rows. Add the labelled rows below the header.",
        "zh": "{name} 只有表头（{columns}），没有数据行。请在表头下方加入已标注的行。",
    },
    "err.binary_file": {
        "en": "{name} is not a text table (it holds binary data). Export your data as CSV or Excel and upload that.",
        "zh": "{name} 不是文本表格（含有二进制数据）。请将数据导出为 CSV 或 Excel 后上传。",
    },
    "err.wrong_kind": {
        "en": "{name} is a {kind}, not a table. Upload a CSV, Excel, JSON or zip file with your labelled texts.",
        "zh": "{name} 是 {kind}，不是表格。请上传含有已标注文本的 CSV、Excel、JSON 或 zip 文件。",
    },
    "err.html_table": {
        "en": "{name} is a web page saved with a table extension (some systems export .xls this way). Open it in Excel and use Save As → Excel Workbook (.xlsx) or CSV.",
        "zh": "{name} 其实是网页文件，只是用了表格的扩展名（有些系统这样导出 .xls）。请用 Excel 打开，再“另存为”Excel 工作簿（.xlsx）或 CSV。",
    },
    "err.too_many_columns": {
        "en": "{name} has {n} columns (the limit is {limit}). A text table has a few columns: check that this is the right file and that its delimiter is a comma, semicolon, tab or '|'.",
        "zh": "{name} 有 {n} 列（上限 {limit}）。文本表格通常只有几列：请确认文件无误，且分隔符是逗号、分号、制表符或“|”。",
    },
    "err.unclosed_quote": {
        "en": "In {name}, a quotation mark opened on line {line} is never closed, so the rest of the file would run into one text. Fix that line (double a quote inside a text: \"\") and upload again.",
        "zh": "{name} 第 {line} 行有一个引号没有闭合，文件余下部分会被读成同一条文本。请修正该行（文本内的引号需写成两个：\"\"）后重新上传。",
    },
    "err.bad_json": {
        "en": "Line {line} is not valid JSON ({detail}). Each line of a JSON Lines file must be one object such as {{\"text\": \"…\", \"label\": \"…\"}}.",
        "zh": "第 {line} 行不是有效的 JSON（{detail}）。JSON Lines 文件的每一行都必须是一个对象，例如 {{\"text\": \"…\", \"label\": \"…\"}}。",
    },
    "err.json_shape": {
        "en": "This JSON is not a list of records. Use one object per example, e.g. [{{\"text\": \"…\", \"label\": \"…\"}}, …].",
        "zh": "该 JSON 不是记录列表。请每个样本使用一个对象，例如 [{{\"text\": \"…\", \"label\": \"…\"}}, …]。",
    },
    "err.damaged_zip": {
        "en": "{name} is not a readable zip archive (it may be damaged or incomplete). Create the zip again and retry.",
        "zh": "{name} 不是可读取的 zip 压缩包（可能已损坏或不完整）。请重新压缩后重试。",
    },
    "err.zip_no_folders": {
        "en": "{name} holds no label folders. Put each class's .txt files in a folder named after the class (e.g. spam/1.txt, ham/2.txt), or zip a single CSV/Excel file.",
        "zh": "{name} 中没有标签文件夹。请把每个类别的 .txt 文件放进以类别命名的文件夹（如 spam/1.txt、ham/2.txt），或只压缩一个 CSV/Excel 文件。",
    },
    "err.zip_too_many": {
        "en": "{name} holds {n} files; the limit is {limit}. Upload a smaller sample.",
        "zh": "{name} 含有 {n} 个文件，上限为 {limit}。请上传较小的样本。",
    },
    "err.zip_bomb": {
        "en": "{name} would unpack to far more data than it holds ({mb} MB; the limit is {limit} MB, or it is packed suspiciously tightly). It was not unpacked. Upload the data itself.",
        "zh": "{name} 解压后的数据量远超其本身（{mb} MB；上限 {limit} MB，或压缩比异常）。已拒绝解压。请直接上传数据。",
    },
    "err.excel_too_many_rows": {
        "en": "{name} has more than {limit:,} rows in its sheet, the most this server reads from a spreadsheet. Save the sheet as CSV (a CSV over the limit can be sampled, every class keeping its share) or split it.",
        "zh": "{name} 的工作表超过 {limit:,} 行，超出本服务器从电子表格读取的上限。请将该工作表另存为 CSV（超过上限的 CSV 可分层抽样，各类别保持原有比例），或将其拆分。",
    },
    "err.header_too_long": {
        "en": "The first row of {name} does not end within {kb:,} KB, so it is no header row (an unclosed quote, or not a table). Check the file: its first row must name the columns.",
        "zh": "{name} 的第一行在 {kb:,} KB 内没有结束，因此不是表头（引号未闭合，或不是表格）。请检查文件：第一行必须是列名。",
    },
    "err.too_many_lines": {
        "en": "{name} has {lines} lines, more than the {limit} this server reads from a file (a sample is drawn from at most that many). Upload fewer rows.",
        "zh": "{name} 有 {lines} 行，超过本服务器从一个文件读取的上限 {limit} 行（抽样也最多从这么多行中抽取）。请上传更少的行。",
    },
    "err.too_many_records": {
        "en": "{name} holds more than {limit} records, more than this server reads from one file (a sample is drawn from at most that many). It was not read further. Upload fewer rows.",
        "zh": "{name} 包含的记录超过 {limit} 条，超过本服务器从一个文件读取的上限（抽样也最多从这么多条中抽取），已停止读取。请上传更少的行。",
    },
    "err.too_many_cells": {
        "en": "{name} holds a table of {rows} rows × {columns} columns, more than the {limit} cells this server reads. A text table has a few columns: keep the text and label columns and upload that.",
        "zh": "{name} 的表格有 {rows} 行 × {columns} 列，超过本服务器可读取的 {limit} 个单元格。文本表格通常只有几列：请只保留文本列和标签列后再上传。",
    },
    "err.too_many_rows": {
        "en": "The table has {rows:,} rows; the limit is {limit:,}. Use a stratified sample of {limit:,} rows, in which every class keeps its share (tick the box on the Data page, or add --sample {limit} on the command line), or upload fewer rows.",
        "zh": "该表有 {rows:,} 行，上限为 {limit:,} 行。可使用 {limit:,} 行的分层抽样，每个类别保持原有比例（在“数据”页勾选相应选项，或在命令行加上 --sample {limit}），或上传更少的行。",
    },
    "err.need_label_column": {
        "en": "The table has a single column ('{column}'), but a classifier needs a text column and a label column. If you see both in one column, the delimiter was not recognised: save the file as CSV with commas.",
        "zh": "该表只有一列（“{column}”），而分类器需要文本列和标签列。如果两者挤在同一列中，说明没有识别出分隔符：请另存为以逗号分隔的 CSV。",
    },
    # -- findings (core.data.findings) ---------------------------------------------------------------
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
    "find.format_mismatch": {
        "en": "{name} is really a {kind} file despite its name; it was read as {kind}.",
        "zh": "{name} 虽然扩展名不同，实际是 {kind} 文件，已按 {kind} 读取。",
    },
    "find.mixed_encoding": {
        "en": "{n} lines were not UTF-8 like the rest of the file and were read as {encoding}. Check a few of them in the preview; if they look wrong, save the file as UTF-8.",
        "zh": "有 {n} 行与文件其余部分不同，不是 UTF-8 编码，已按 {encoding} 读取。请在预览中检查这些行；如显示不正确，请将文件另存为 UTF-8。",
    },
    "find.nul_bytes": {
        "en": "{n} NUL bytes (invisible characters some exports leave behind) were removed while reading.",
        "zh": "读取时删除了 {n} 个 NUL 字节（某些导出工具留下的不可见字符）。",
    },
    "find.extra_fields": {
        "en": "The lines of {name} have more values than its header has names; the values past the last name were left out. A delimiter inside unquoted texts usually causes this: put such texts in double quotes, or name every column in the header.",
        "zh": "{name} 的各行值比表头的列名多，超出最后一个列名的值已略去。通常是文本中含有分隔符却未加引号：请用双引号括住这类文本，或在表头中为每一列命名。",
    },
    "find.skipped_lines": {
        "en": "{n} lines had more values than the header and were skipped (lines {lines}). A delimiter inside an unquoted text usually causes this: put such texts in double quotes.",
        "zh": "有 {n} 行的值比表头多，已跳过（第 {lines} 行）。通常是文本中含有分隔符却未加引号：请用双引号括住这类文本。",
    },
    "find.skipped_lines_one": {
        "en": "1 line had more values than the header and was skipped (line {lines}). A delimiter inside an unquoted text usually causes this: put such texts in double quotes.",
        "zh": "有 1 行的值比表头多，已跳过（第 {lines} 行）。通常是文本中含有分隔符却未加引号：请用双引号括住这类文本。",
    },
    "find.kept_lines": {
        "en": "{n} lines had more values than the header (lines {lines}): they are in the output without a prediction, each with the reason. Put texts that hold the delimiter in double quotes to have them predicted.",
        "zh": "有 {n} 行的值比表头多（第 {lines} 行）：它们在输出中没有预测结果，并注明了原因。请用双引号括住含有分隔符的文本，以便对其预测。",
    },
    "find.kept_lines_one": {
        "en": "1 line had more values than the header (line {lines}): it is in the output without a prediction, with the reason. Put texts that hold the delimiter in double quotes to have them predicted.",
        "zh": "有 1 行的值比表头多（第 {lines} 行）：它在输出中没有预测结果，并注明了原因。请用双引号括住含有分隔符的文本，以便对其预测。",
    },
    "find.formulas": {
        "en": "{n} cells hold formulas whose results were never saved, so they read as empty. Open the workbook in Excel, save it, and upload it again.",
        "zh": "有 {n} 个单元格含有公式，但从未保存计算结果，因此读取为空。请在 Excel 中打开并保存该工作簿后重新上传。",
    },
    "find.sheet_chosen": {
        "en": "Read sheet '{sheet}', the first that holds a table (passed over: {skipped}). Choose another sheet above if needed.",
        "zh": "已读取工作表“{sheet}”，这是第一个含有表格的工作表（跳过：{skipped}）。如有需要，可在上方选择其他工作表。",
    },
    "find.zip_skipped": {
        "en": "{n} files in the zip are not .txt files inside a label folder and were left out.",
        "zh": "压缩包中有 {n} 个文件不是标签文件夹中的 .txt 文件，已忽略。",
    },
    "curve.rising": {
        "en": "Still rising: roughly {n} more labelled texts per class (twice the data) could add about {points} points of accuracy.",
        "zh": "仍在上升：每个类别再标注约 {n} 条文本（数据翻倍），准确率大约还能提高 {points} 个百分点。",
    },
    "curve.flat": {
        "en": "Flat at {accuracy}: more of the same data will not help; look at the labels (texts filed under the wrong class) or at the classes themselves (ones that overlap).",
        "zh": "已趋平（{accuracy}）：再增加同类数据不会有帮助；请检查标签（归错类的文本）或类别本身（相互重叠的类别）。",
    },
    "curve.too_few": {
        "en": "Too few texts to draw a learning curve: at least three of its points need two classes each.",
        "zh": "文本太少，无法绘制学习曲线：至少需要三个点，且每个点都包含两个类别。",
    },
    "err.relabel_empty": {
        "en": "Row {row}: type the label to give it (or choose another action).",
        "zh": "第 {row} 行：请输入要给它的标签（或选择其他操作）。",
    },
    "find.labelled_here": {
        "en": "{n} texts you labelled on the Label page are part of the data (after the file's rows).",
        "zh": "您在“标注”页标注的 {n} 条文本已加入数据（位于文件行之后）。",
    },
    "find.corrected": {
        "en": "Your corrections are in use: {n} labels changed and {dropped} rows left out (the label check). The file itself is unchanged; undo them on this page.",
        "zh": "您的更正已生效：修改了 {n} 个标签，排除了 {dropped} 行（标签检查）。文件本身未改动；可在本页撤销。",
    },
    "find.unlabelled": {
        "en": "{n} rows have a text but no label: they are not trained on as examples, but kept as unlabelled texts — word vectors learned from them help the network (Train page, Word vectors).",
        "zh": "有 {n} 行有文本但没有标签：它们不作为训练样例，而是作为无标签文本保留——从中学到的词向量可以帮助神经网络（训练页的“词向量”）。",
    },
    "find.truncated": {
        "en": "{n} texts are longer than {chars} characters and were cut to that length for training (the rest of each text is not used).",
        "zh": "有 {n} 条文本长于 {chars} 个字符，训练时已截断到该长度（其余部分不使用）。",
    },
    "find.sampled": {
        "en": "Using a stratified sample of {n} of {total} rows, as you agreed: every class keeps its share.",
        "zh": "按您的同意，使用 {total} 行中 {n} 行的分层抽样：每个类别保持原有比例。",
    },
    # -- data warnings (core.data.findings) ----------------------------------------------------------
    "warn.many_labels": {
        "en": "Column '{column}' has {n} different labels — it looks like free text rather than classes. Check that it is the right label column.",
        "zh": "“{column}”列有 {n} 个不同的标签，看起来更像自由文本而非类别。请确认它是正确的标签列。",
    },
    "warn.small_classes": {
        "en": "These classes have fewer than {n} examples, so the model will barely learn them: {labels}. Add examples if you can.",
        "zh": "以下类别的样本少于 {n} 个，模型很难学会它们：{labels}。如有可能请补充样本。",
    },
    "err.store_not_writable": {
        "en": "The model folder {path} cannot be written ({reason}), so new models cannot be trained or saved. Models already open still predict. Ask the server's administrator to make the folder writable (or set STUDIO_DATA_DIR).",
        "zh": "无法写入模型文件夹 {path}（{reason}），因此不能训练或保存新模型。已打开的模型仍可预测。请联系服务器管理员使该文件夹可写（或设置 STUDIO_DATA_DIR）。",
    },
    "err.disk_full": {
        "en": "The server's disk is full ({path}: {reason}), so the model could not be saved; nothing already saved was changed. Delete models you no longer need on the Models page, or ask the administrator for more space.",
        "zh": "服务器磁盘已满（{path}：{reason}），模型未能保存；已保存的内容没有改变。请在“模型”页删除不再需要的模型，或请管理员增加空间。",
    },
    "err.job_running": {
        "en": "'{name}' is still training in this workspace. Wait for it to finish or press Stop before starting another run.",
        "zh": "本工作区的“{name}”仍在训练。请等它结束或按“停止”后再开始新的训练。",
    },
    "err.memory_weights": {
        "en": "These settings need about {need} GB of memory but only {free} GB is free. Most of it is the vocabulary × embedding: lower the vocabulary size (Preprocess) or the embedding size.",
        "zh": "这些设置大约需要 {need} GB 内存，但只有 {free} GB 可用。主要占用来自词表 × 词向量：请减小词表大小（预处理页）或词向量维度。",
    },
    "err.memory_activations": {
        "en": "These settings need about {need} GB of memory but only {free} GB is free. Most of it is batch size × text length × units: lower the batch size, the padding length or the number of units.",
        "zh": "这些设置大约需要 {need} GB 内存，但只有 {free} GB 可用。主要占用来自批大小 × 文本长度 × 单元数：请减小批大小、填充长度或单元数。",
    },
    "err.memory_data": {
        "en": "These settings need about {need} GB of memory but only {free} GB is free. Most of it is the data itself: lower the padding length or train on a sample of the rows.",
        "zh": "这些设置大约需要 {need} GB 内存，但只有 {free} GB 可用。主要占用来自数据本身：请减小填充长度，或只用部分数据训练。",
    },
    "err.out_of_memory": {
        "en": "The device ran out of memory even with batch size {batch}. Lower the padding length, the units or the vocabulary size, or try again when the server is less busy.",
        "zh": "即使批大小降到 {batch}，设备内存仍然不足。请减小填充长度、单元数或词表大小，或在服务器较空闲时再试。",
    },
}
