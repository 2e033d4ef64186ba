"""Property tests: whatever YAML or text the readers get, the outcome is a result or a briefgen error."""

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.errors import BriefgenError, Diagnostics
from briefgen.read.outline import read_outline
from briefgen.read.sources import read_sources

KEYS = st.sampled_from(["title", "summary", "background", "actors", "positions", "risks", "open_questions",
                        "text", "cite", "source", "quote", "para", "name", "role", "lang", "x", "sources"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=30))
DATA = st.recursive(SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)), max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(DATA)
def test_any_yaml_structure_gives_an_outline_or_an_input_error(tmp_path, data):
    path = tmp_path / "o.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        read_outline(path)
    except BriefgenError as exc:
        assert exc.diagnostics and all(d.message for d in exc.diagnostics)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_yaml_text_gives_an_outline_or_an_input_error(tmp_path, text):
    path = tmp_path / "o.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        read_outline(path)
    except BriefgenError as exc:
        assert exc.diagnostics


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_any_source_bytes_give_a_source_or_an_input_error(tmp_path, raw):
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_bytes(raw)
    try:
        library = read_sources(folder, Diagnostics())
        for source in library.sources.values():
            for para in source.paragraphs:
                assert "\x00" not in para.text
    except BriefgenError as exc:
        assert exc.diagnostics
