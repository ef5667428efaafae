"""Preprocess page: cleaning and tokenization options with a live preview and statistics."""

import random

import pandas as pd
import streamlit as st

from core.base.errors import UserError
from core.evaluation import charts
from core.text import (
    TOKENIZERS,
    PreprocessConfig,
    auto_tokenizer,
    default_config,
    default_stop_words,
    parse_word_list,
    text_stats,
    tokenize,
)
from ui import state
from ui.common import page_header, require_dataset, show_error, t

page_header("prep")

STATS_SAMPLE = 5000
PREVIEW_ROWS = 10

dataset = require_dataset()
config = st.session_state[state.PREPROCESS] or default_config(dataset.texts)

cleaning, tokens = st.columns(2, gap="large")
with cleaning:
    st.markdown(f"**{t('prep.cleaning')}**")
    entities = st.checkbox(t("prep.entities"), config.decode_entities, key="prep_entities",
                           help=t("prep.entities_help"))
    lowercase = st.checkbox(t("prep.lowercase"), config.lowercase, key="prep_lowercase", help=t("prep.lowercase_help"))
    strip_punctuation = st.checkbox(t("prep.punctuation"), config.strip_punctuation, key="prep_punctuation",
                                    help=t("prep.punctuation_help"))
    strip_numbers = st.checkbox(t("prep.numbers"), config.strip_numbers, key="prep_numbers", help=t("prep.numbers_help"))
    strip_urls = st.checkbox(t("prep.urls"), config.strip_urls, key="prep_urls", help=t("prep.urls_help"))
    remove_stopwords = st.checkbox(t("prep.stopwords"), config.remove_stopwords, key="prep_stopwords",
                                   help=t("prep.stopwords_help"))
    stop_words = config.stop_words
    if remove_stopwords:
        with st.expander(t("prep.stopword_list"), icon=":material/edit_note:"):
            builtin = "\n".join(default_stop_words())
            edited = st.text_area(t("prep.stopword_list_label"), "\n".join(stop_words) if stop_words else builtin,
                                  key="prep_stop_words", height=200, help=t("prep.stopword_list_help"))
            stop_words = None if edited.strip() == builtin else parse_word_list(edited)
    st.markdown(f"**{t('prep.chinese')}**")
    full_width = st.checkbox(t("prep.full_width"), config.full_width, key="prep_full_width",
                             help=t("prep.full_width_help"))
    simplified = st.checkbox(t("prep.simplified"), config.to_simplified, key="prep_simplified",
                             help=t("prep.simplified_help"))
    strip_emoji = st.checkbox(t("prep.emoji"), config.strip_emoji, key="prep_emoji", help=t("prep.emoji_help"))
with tokens:
    st.markdown(f"**{t('prep.tokens')}**")
    st.session_state.setdefault(state.PREP_TOKENIZER, config.tokenizer)  # a value, shown in words (see ui.state)
    tokenizer = st.radio(t("prep.tokenizer"), TOKENIZERS, format_func=lambda value: t(f"prep.tokenizer_{value}"),
                         horizontal=True, key=state.PREP_TOKENIZER, help=t("prep.tokenizer_help"))
    st.caption(t("prep.tokenizer_auto", tokenizer=t(f"prep.tokenizer_{auto_tokenizer(dataset.texts)}")))
    user_words = config.user_words
    if tokenizer == "jieba":
        user_words = parse_word_list(st.text_area(
            t("prep.user_words"), "\n".join(config.user_words), key="prep_user_words", height=100,
            placeholder=t("prep.user_words_placeholder"), help=t("prep.user_words_help")))
    max_vocab = st.number_input(t("prep.max_vocab"), 100, 200000, config.max_vocab, step=1000, key="prep_max_vocab",
                                help=t("prep.max_vocab_help"))
    min_count = st.number_input(t("prep.min_count"), 1, 100, config.min_count, key="prep_min_count",
                                help=t("prep.min_count_help"))
    automatic = st.toggle(t("prep.auto_length"), config.max_length is None, key="prep_auto_length",
                          help=t("prep.auto_length_help"))
    max_length = None
    if not automatic:
        max_length = st.number_input(t("prep.max_length"), 1, 5000, config.max_length or 100, key="prep_max_length")

try:
    config = PreprocessConfig(lowercase=lowercase, strip_punctuation=strip_punctuation, strip_numbers=strip_numbers,
                              strip_urls=strip_urls, remove_stopwords=remove_stopwords, tokenizer=tokenizer,
                              max_vocab=int(max_vocab), min_count=int(min_count),
                              max_length=int(max_length) if max_length else None, full_width=full_width,
                              to_simplified=simplified, strip_emoji=strip_emoji, user_words=user_words,
                              stop_words=stop_words, decode_entities=entities)
except UserError as error:
    show_error(error)
    st.stop()
if config != st.session_state[state.PREPROCESS]:
    st.session_state[state.PREPROCESS] = config
    state.remember_preprocess(config)

# Tokenizing 5,000 texts takes a while (Chinese segmentation more): once per data set and settings.
texts = dataset.texts[:STATS_SAMPLE]
stats = state.memo("prep_stats", (st.session_state[state.DATASET_VERSION], config),
                   lambda: text_stats([tokenize(text, config) for text in texts], config), keep=2)

st.divider()
vocabulary, oov, length, cut = st.columns(4)
vocabulary.metric(t("prep.vocabulary"), f"{stats.vocabulary_size:,}",
                  help=t("prep.vocabulary_help", distinct=stats.distinct_tokens))
oov.metric(t("prep.oov"), f"{stats.oov_share:.1%}", help=t("prep.oov_help"))
length.metric(t("prep.padding"), stats.suggested_length, help=t("prep.padding_help"))
cut.metric(t("prep.truncated"), f"{stats.truncated_share:.1%}", help=t("prep.truncated_help"))
if len(dataset.texts) > STATS_SAMPLE:
    st.caption(t("prep.sampled", n=STATS_SAMPLE, total=len(dataset.texts)))

st.plotly_chart(charts.length_histogram(stats.token_counts, stats.suggested_length, t("prep.histogram"),
                                        t("prep.tokens_per_text"), t("prep.texts"),
                                        t("prep.padding_marker", n=stats.suggested_length)),
                width="stretch", key="prep_histogram")

st.subheader(t("prep.preview"))
rows = sorted(random.Random(0).sample(range(len(dataset.texts)), min(PREVIEW_ROWS, len(dataset.texts))))
preview = pd.DataFrame({
    t("prep.before"): [dataset.texts[i] for i in rows],
    t("prep.after"): [" · ".join(tokenize(dataset.texts[i], config)) for i in rows],
    t("prep.label"): [dataset.labels[i] for i in rows],
})
st.dataframe(preview, width="stretch", hide_index=True, key="prep_preview", column_config={
    t("prep.before"): st.column_config.TextColumn(width="large"),
    t("prep.after"): st.column_config.TextColumn(width="large"),
    t("prep.label"): st.column_config.TextColumn(width="small"),
})
st.page_link("pages/train.py", label=t("prep.next"), icon=":material/arrow_forward:")
