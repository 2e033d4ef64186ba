"""`briefgen init`: a new brief project; and the checks that stop a build of an empty one."""

from __future__ import annotations

from pathlib import Path

from ..errors import BriefgenError, Diagnostic, InputError
from ..read.sources import EXTENSIONS

OUTLINE = """\
# briefgen outline: the brief's metadata and its sections, in reading order.
# مخطط الموجز: بيانات الموجز وأقسامه بترتيب القراءة.
#
# Every key is explained in English, then in Arabic. A line starting with # is a comment.
# كل مفتاح مشروح بالإنجليزية ثم بالعربية. السطر الذي يبدأ بـ # تعليق لا يقرؤه البرنامج.
#
#   briefgen sources add article.txt --publisher "..." --date 2024-01-31   (add an article / أضف مقالاً)
#   briefgen sources search "عبارة"      (find a quote and a ready cite: entry / ابحث عن اقتباس)
#   briefgen check outline.yaml          (verify every citation / تحقق من كل استشهاد)
#   briefgen build outline.yaml          (write reports/outline.pdf and .docx / أنشئ الموجز)

# title (required): the brief's title, on the first page and as the e-mail subject.
# العنوان (إلزامي): عنوان الموجز في الصفحة الأولى، وموضوع الرسالة عند الإرسال بالبريد.
title: {title}

# subtitle, date, author, organization, classification (optional): shown on the title block.
# العنوان الفرعي، التاريخ، المُعِد، الجهة، التصنيف (اختيارية): تظهر في رأس الموجز.
# subtitle: "..."
# date: 2024-02-01
# author: "..."
# organization: "..."
# classification: "للاستخدام الداخلي"

# lang — ar (Arabic, right to left) or en (English, left to right).
# اللغة: ar للعربية (من اليمين إلى اليسار) أو en للإنجليزية.
lang: {lang}

# hijri (optional): true also shows the Hijri date in the title block.
# التاريخ الهجري (اختياري): true لإظهار التاريخ الهجري أيضاً في رأس الموجز.
# hijri: true

# digits (optional): latin (1 2 3, default) or arabic-indic (١ ٢ ٣) for page, section and note numbers.
# الأرقام (اختياري): latin أو arabic-indic لأرقام الصفحات والأقسام والحواشي.
# digits: arabic-indic

# sources — the folder of articles, relative to this file. Add articles with `briefgen sources add`.
# المصادر: مجلد المقالات بالنسبة إلى هذا الملف. أضف المقالات بالأمر briefgen sources add.
sources: sources/

# output — where the PDF, DOCX and e-mail draft are written.
# المخرجات: المجلد الذي تُكتب فيه ملفات PDF وDOCX ومسودة البريد.
output: reports/

# template (optional): a theme folder with brief.html and brief.css.
# القالب (اختياري): مجلد فيه brief.html وbrief.css لتغيير الشكل.
# template: templates/

# ---------------------------------------------------------------------------------------
# Sections. Each point is a text with its citations:
#   - text: "the statement"
#     cite: [{{source: ID, quote: "words copied exactly from one paragraph of the article"}}]
# ID is the article's id (`briefgen sources list`). cite: may also hold a bare ID, or
# {{source: ID, para: N}} for paragraph N. A marker [@ID] inside a text is a citation too.
# الأقسام. كل نقطة نصٌّ مع استشهاداته: text للنص، وcite قائمة الاستشهادات؛ وفي كل استشهاد
# source معرّف المقال وquote عبارة منسوخة حرفياً من فقرة واحدة منه (يتحقق البرنامج منها).
# ويمكن وضع [@ID] داخل النص استشهاداً في موضعه.
#
# Remove the # before an example to use it; a section left empty is not printed.
# احذف علامة # قبل المثال لاستخدامه؛ القسم الفارغ لا يُطبع.
# ---------------------------------------------------------------------------------------

# summary — the main message, up front (executive summary).
# الملخّص التنفيذي: الرسالة الأساسية في البداية.
summary:
#  - text: "النقطة الأولى من الملخص."
#    cite: [{{source: ID, quote: "عبارة منسوخة من المقال"}}]

# key_judgments — your judgments, each with an ICD 203 likelihood (e.g. likely / مرجّح) and a
# confidence (low / moderate / high), stated apart.
# الأحكام الرئيسية: تقديراتك، لكل منها الاحتمال (مثل: مرجّح) ودرجة الثقة (منخفضة / متوسطة / عالية).
# key_judgments:
#  - text: "نقدّر أن ..."
#    likelihood: likely
#    confidence: moderate
#    cite: [ID]

# assumptions — the linchpin assumptions behind the judgments (citations optional).
# الافتراضات الرئيسية التي تقوم عليها الأحكام (الاستشهاد اختياري).
# assumptions:
#  - "افتراض أساسي."

# background — the context a reader needs.
# الخلفية: السياق الذي يحتاجه القارئ.
background:
#  - "جملة باستشهاد داخلي [@ID] ثم تكملة."

# timeline — dated events (date: YYYY, YYYY-MM or YYYY-MM-DD), each cited, shown in date order.
# التسلسل الزمني: أحداث مؤرخة (السنة أو السنة-الشهر أو التاريخ الكامل)، لكل منها استشهاد.
# timeline:
#  - {{date: 2024-01-25, text: "حدث مؤرخ.", cite: [ID]}}

# actors — who matters; a table of name, role and stance.
# الفاعلون: جدول بالاسم والدور والموقف.
# actors:
#  - name: "..."
#    role: "..."
#    stance: "..."
#    cite: [ID]

# positions — each actor's stance with cited points, shown side by side.
# المواقف: موقف كل طرف ونقاطه المسندة، جنباً إلى جنب.
# positions:
#  - actor: "..."
#    stance: "..."
#    points:
#      - text: "..."
#        cite: [{{source: ID, quote: "..."}}]

# risks — title, cited text; optional likelihood (rare, unlikely, possible, likely, almost certain),
# impact (insignificant, minor, moderate, major, severe) and indicators (signs it is happening).
# المخاطر: عنوان ونص مسند؛ واختيارياً الاحتمال (نادر، غير مرجّح، ممكن، مرجّح، شبه مؤكد)
# والأثر (ضئيل، طفيف، متوسط، كبير، جسيم) والمؤشرات الدالة على وقوعه.
# risks:
#  - title: "..."
#    text: "..."
#    cite: [ID]
#    likelihood: possible
#    impact: severe
#    indicators: ["مؤشر على تحقق الخطر."]

# open_questions — what remains unknown (citations optional here).
# أسئلة مفتوحة: ما لا يزال مجهولاً (الاستشهاد هنا اختياري).
open_questions:
#  - "سؤال مفتوح؟"

# annex (optional): evidence adds an annex listing every cited claim with its verified quotes.
# الملحق (اختياري): evidence لإضافة ملحق الأدلة بكل معلومة مسندة واقتباساتها.
# annex: evidence
"""

REGISTRY = """\
# sources.yaml: metadata of the articles in this folder (briefgen sources add fills it in).
# بيانات المقالات في هذا المجلد (يملؤها الأمر briefgen sources add).
#
# Keep each article exactly as pasted from the web: never edit it; briefgen cleans it when reading.
# احتفظ بكل مقال كما نُسخ من الموقع دون تعديل؛ التنظيف يجري عند القراءة.
#
# Keys of an entry / مفاتيح كل مدخل:
#   file:      the article's file name in this folder / اسم ملف المقال
#   id:        the name used in cite: (default: file name without extension) / المعرّف في الاستشهادات
#   title:     the headline, verbatim (default: first line) / العنوان كما ورد
#   publisher: the outlet / الناشر
#   author:    the byline / الكاتب
#   date:      publication date, YYYY-MM-DD / تاريخ النشر
#   url:       where it was published / الرابط
#   accessed:  when you read it / تاريخ الاطلاع
#   encoding:  only if detection fails, e.g. windows-1256 / الترميز عند الحاجة فقط
#   lang:      the article's language, e.g. ar / لغة المقال
#   original:  the saved page or PDF the text was taken from (sources add) / الصفحة أو ملف PDF الأصلي
#   sha256:    the original's content hash: proof it is unchanged / بصمة الملف الأصلي
#   pages:     PDF: the line where each page starts / بداية كل صفحة في ملف PDF
#   roles:     line -> headline, caption, footnote… (sources add) / دور الفقرة: عنوان، تعليق صورة، حاشية…
#   reliability: Admiralty grade of the source, A-F / موثوقية المصدر (A إلى F)
#   credibility: Admiralty grade of the information, 1-6 / مصداقية المعلومة (1 إلى 6)
# State only what the article supports: leave a key out rather than guess (or write
# `date: null` to record that the text gives no date).
# لا تكتب إلا ما يدعمه نص المقال: اترك المفتاح بدلاً من التخمين (أو اكتب date: null إن لم يذكر النص تاريخاً).
#
# boilerplate: extra regular expressions; a matching line is dropped / أنماط إضافية لحذف الأسطر
#   boilerplate:
#     - "^اقرأ أيضا"
sources: []
"""

GITIGNORE = """\
reports/*
!reports/.gitkeep
.briefgen-cache/
"""

DEFAULT_TITLE = {"ar": "عنوان الموجز", "en": "Brief title"}


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def init_project(folder: Path, title: str | None = None, lang: str = "ar") -> list[Path]:
    """Create outline.yaml, sources/sources.yaml, reports/ and .gitignore; refuse to overwrite."""
    outline = folder / "outline.yaml"
    targets = [outline, folder / "sources", folder / "reports", folder / ".gitignore"]
    existing = [p for p in targets if p.exists() or p.is_symlink()]
    if existing:
        names = ", ".join(str(p) for p in existing)
        verb = "exists" if len(existing) == 1 else "exist"
        raise InputError(f"{folder} already holds a brief project ({names} {verb})", code="project-exists",
                         hint="choose a new folder, e.g. briefgen init my-brief; nothing was changed")
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} exists and is not a folder", code="project-exists")
    try:
        (folder / "sources").mkdir(parents=True)
        (folder / "reports").mkdir()
        (folder / "reports" / ".gitkeep").write_bytes(b"")
        outline.write_text(OUTLINE.format(title=_yaml_string(title or DEFAULT_TITLE[lang]), lang=lang),
                           encoding="utf-8")
        (folder / "sources" / "sources.yaml").write_text(REGISTRY, encoding="utf-8")
        (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot create the project in {folder}: {exc.strerror}", code="project-write") from None
    return [outline, folder / "sources" / "sources.yaml", folder / "reports", folder / ".gitignore"]


def _read(outline_path: Path, loaded=None):
    """The outline as read (once), or None when it has errors: the build reports those."""
    if loaded is not None:
        return loaded
    from ..read.outline import read_outline

    try:
        return read_outline(outline_path)
    except BriefgenError:
        return None


def no_sources(outline_path: Path, loaded=None) -> Diagnostic | None:
    """An error if the outline's sources folder exists but holds no article yet."""
    loaded = _read(outline_path, loaded)
    if loaded is None:
        return None
    folder = loaded.base / loaded.outline.sources
    if not folder.is_dir() or any(p.suffix in EXTENSIONS and p.is_file() for p in folder.iterdir()):
        return None
    return Diagnostic("error", "no-sources", f"the sources folder {loaded.outline.sources} has no articles yet",
                      hint='add one: briefgen sources add article.txt --publisher "..." --date YYYY-MM-DD '
                           f"--dir {folder}", **loaded.located.where(("sources",)))


def empty_outline(outline_path: Path, severity: str = "error", loaded=None) -> Diagnostic | None:
    """A diagnostic if the outline has no point in any section (a fresh `briefgen init` outline)."""
    loaded = _read(outline_path, loaded)
    if loaded is None:
        return None
    # sections are the list-valued keys (metadata are scalars): any non-empty one is content
    if any(isinstance(v, list) and v for v in loaded.outline.model_dump().values()):
        return None
    return Diagnostic(severity, "no-content", "the outline has no points yet: every section is empty",
                      file=str(outline_path), hint="write a point under summary: (see the examples in the outline)")


def preflight(outline_path: Path, allow_outside: bool = False) -> None:
    """Refuse to build an empty project with a clear message instead of an empty brief.

    Other problems (a missing folder, an outline error) are reported first, exactly as a build would.
    """
    loaded = _read(outline_path)
    found = [d for d in (no_sources(outline_path, loaded), empty_outline(outline_path, loaded=loaded)) if d is not None]
    if not found:
        return
    from ..evidence.check import check

    checked = check(outline_path, allow_outside)
    errors = checked.diagnostics.errors
    if errors:
        if checked.library is not None and not checked.library.sources:
            errors += [d for d in found if d.code == "no-sources"]  # why every id is unknown
        raise InputError(errors[0].message, diagnostics=errors)
    raise InputError(found[0].message, diagnostics=found)
