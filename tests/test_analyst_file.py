"""`review --apply` and the analyst's own outline: read-only refused, mode kept, a save made meanwhile wins."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap

import pytest

from .test_hostile_docx import docx_of, review
from .test_roundtrip import make_project
from .word_edits import Editor

if os.name != "posix":
    pytest.skip("file modes are POSIX", allow_module_level=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return make_project(tmp_path_factory.mktemp("analyst") / "p")


@pytest.fixture()
def proj(built, tmp_path):
    shutil.copytree(built, tmp_path / "p", symlinks=True)
    return tmp_path / "p"


def edited(proj) -> bytes:
    e = Editor(docx_of(proj))
    e.replace("summary[0]", "تتجه", "تمضي")
    return e.save()


def test_a_read_only_outline_is_refused_with_a_hint(proj):
    outline = proj / "outline.yaml"
    before = outline.read_bytes()
    outline.chmod(0o444)
    code, out, _ = review(proj, edited(proj), "--apply")
    assert code == 3, out
    assert "outline.yaml: error: " in out and "is read-only; nothing was written" in out
    assert "hint: make it writable (chmod u+w outline.yaml)" in out and "Traceback" not in out
    assert outline.read_bytes() == before and stat.S_IMODE(outline.stat().st_mode) == 0o444


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_apply_keeps_the_outline_s_mode(proj, mode):
    outline = proj / "outline.yaml"
    outline.chmod(mode)
    code, out, _ = review(proj, edited(proj), "--apply")
    assert code == 0, out
    assert "تمضي" in outline.read_text(encoding="utf-8")
    assert stat.S_IMODE(outline.stat().st_mode) == mode


EDITOR = textwrap.dedent("""\
    # Another process (the analyst's editor) saves the outline right after `--apply` has read it.
    import subprocess, sys
    from briefgen.edit import apply as applier
    real = applier.apply
    def apply(review, outline, reject=False):
        done = real(review, outline, reject)
        subprocess.run([sys.executable, "-c", "import sys; p = sys.argv[1]; "
                        "t = open(p, encoding='utf-8').read(); "
                        "open(p, 'w', encoding='utf-8').write(t + '# the analyst saved this\\\\n')", str(outline)],
                       check=True)
        return done
    applier.apply = apply
    """)


def test_a_save_made_while_apply_runs_wins(proj, tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(EDITOR, encoding="utf-8")
    outline = proj / "outline.yaml"
    data = edited(proj)
    (proj / "edited.docx").write_bytes(data)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), *sys.path])}
    done = subprocess.run([sys.executable, "-m", "briefgen", "review", str(proj / "edited.docx"), "--outline",
                           str(outline), "--apply"], cwd=proj, capture_output=True, text=True, env=env, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 3, out
    assert "changed while the edits were being applied" in out and "run `briefgen review … --apply` again" in out
    text = outline.read_text(encoding="utf-8")
    assert text.endswith("# the analyst saved this\n") and "تمضي" not in text  # the analyst's save, untouched
    assert not [p for p in proj.iterdir() if "briefgen-tmp" in p.name]
    code, out, _ = review(proj, data, "--apply")  # run again: applied on top of the analyst's save
    assert code == 0, out
    text = outline.read_text(encoding="utf-8")
    assert "تمضي" in text and text.endswith("# the analyst saved this\n")


def test_two_applies_at_once_lose_nothing(proj):
    outline = proj / "outline.yaml"
    e = Editor(docx_of(proj))
    e.replace("summary[0]", "تتجه", "تمضي")
    e.comment("summary[1]", "تعليق واحد")
    (proj / "edited.docx").write_bytes(e.save())
    args = [sys.executable, "-m", "briefgen", "review", str(proj / "edited.docx"), "--outline", str(outline),
            "--apply"]
    procs = [subprocess.Popen(args, cwd=proj, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    results = []
    for p in procs:
        out, _ = p.communicate(timeout=300)
        results.append((p.returncode, out.decode("utf-8", "replace")))
    for code, out in results:
        assert code in (0, 3) and "Traceback" not in out, out
        if code == 3:
            assert "changed while the edits were being applied" in out
    assert 0 in [code for code, _ in results]
    text = outline.read_text(encoding="utf-8")
    assert text.count("تمضي") == 1 and text.count("# review: Layla Editor: تعليق واحد") == 1


def test_applying_more_than_the_outline_limit_is_refused(proj):
    from briefgen.read.outline import MAX_OUTLINE_BYTES

    outline = proj / "outline.yaml"
    before = outline.read_bytes()
    e = Editor(docx_of(proj))
    e.replace("summary[0]", "تتجه", "تتجه " + "كلمة " * (MAX_OUTLINE_BYTES // 8), author=None)
    code, out, _ = review(proj, e.save(), "--apply")
    assert code == 1, out
    assert f"above the {MAX_OUTLINE_BYTES:,}-byte limit" in out and "Traceback" not in out
    assert outline.read_bytes() == before
