"""Edits made to a DOCX the way Word writes them (for the round-trip tests).

Word's own markup: tracked changes as w:ins/w:del (w:delText inside) with w:author and w:date,
runs split where an edit begins (each piece with its own w:rsidR), a paragraph split with the
new paragraph mark tracked in w:pPr/w:rPr/w:ins, moves as w:moveFrom/w:moveTo with their range
marks, comments in comments.xml anchored by commentRangeStart/End and a commentReference run,
replies and the resolved state in commentsExtended.xml (w15:paraIdParent, w15:done).
"""

from __future__ import annotations

import copy
import io
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
DATE = "2026-01-05T10:00:00Z"


def q(tag: str) -> str:
    prefix, name = tag.split(":")
    ns = {"w": W, "w14": W14, "w15": W15}[prefix]
    return f"{{{ns}}}{name}"


class Editor:
    """An opened DOCX whose XML parts are edited in place, then saved back to bytes."""

    def __init__(self, data: bytes):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            self.members = {n: zf.read(n) for n in zf.namelist()}
        self.doc = etree.fromstring(self.members["word/document.xml"])
        self.notes = etree.fromstring(self.members["word/footnotes.xml"])
        self.comments = etree.fromstring(self.members["word/comments.xml"]) if "word/comments.xml" in \
            self.members else None
        self.extended = None
        self.next_id = 900
        self.rsid = 0x00A10000

    def save(self) -> bytes:
        self.members["word/document.xml"] = etree.tostring(self.doc, xml_declaration=True, encoding="UTF-8")
        self.members["word/footnotes.xml"] = etree.tostring(self.notes, xml_declaration=True, encoding="UTF-8")
        if self.comments is not None:
            self.members["word/comments.xml"] = etree.tostring(self.comments, xml_declaration=True, encoding="UTF-8")
        if self.extended is not None:
            self.members["word/commentsExtended.xml"] = etree.tostring(self.extended, xml_declaration=True,
                                                                        encoding="UTF-8")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self.members.items():
                zf.writestr(name, data)
        return out.getvalue()

    # -- finding ---------------------------------------------------------------------------------
    def start(self, path: str):
        name = "_bg_" + path.replace("[", "_").replace("]", "").replace(".", "_")
        for b in self.doc.iter(q("w:bookmarkStart")):
            if b.get(q("w:name")) == name:
                return b
        raise KeyError(path)

    def para(self, path: str):
        return self.start(path).getparent()

    def run_with(self, path: str, text: str):
        """The run of the item holding text (after its bookmark start)."""
        start = self.start(path)
        for r in start.itersiblings():
            if r.tag == q("w:r") and r.find(q("w:t")) is not None and text in (r.find(q("w:t")).text or ""):
                return r
        raise KeyError(f"{text!r} not in {path}")

    def _rsid(self, run) -> None:
        self.rsid += 1
        run.set(q("w:rsidR"), f"{self.rsid:08X}")

    def _piece(self, run, text: str, tag: str = "w:t"):
        new = copy.deepcopy(run)
        for child in list(new):
            if child.tag != q("w:rPr"):
                new.remove(child)
        t = etree.SubElement(new, q(tag))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        self._rsid(new)
        return new

    def _ident(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    # -- text edits ------------------------------------------------------------------------------
    def replace(self, path: str, old: str, new: str, author: str | None = "Layla Editor") -> None:
        """Replace old by new inside the item: tracked (w:del + w:ins, by author) or, author None, untracked."""
        run = self.run_with(path, old)
        t = run.find(q("w:t"))
        before, after = t.text.split(old, 1)
        if author is None:
            t.text = before + new + after
            return
        pieces = []
        if before:
            pieces.append(self._piece(run, before))
        if old:
            d = etree.Element(q("w:del"), {q("w:id"): self._ident(), q("w:author"): author, q("w:date"): DATE})
            d.append(self._piece(run, old, "w:delText"))
            pieces.append(d)
        if new:
            i = etree.Element(q("w:ins"), {q("w:id"): self._ident(), q("w:author"): author, q("w:date"): DATE})
            i.append(self._piece(run, new))
            pieces.append(i)
        if after:
            pieces.append(self._piece(run, after))
        for p in pieces:
            run.addprevious(p)
        run.getparent().remove(run)

    def split(self, path: str, at: str, author: str | None = None) -> None:
        """Press Enter before `at`: the rest of the paragraph (with the bookmark end) goes to a new one."""
        run = self.run_with(path, at)
        t = run.find(q("w:t"))
        before, after = t.text.split(at, 1)
        t.text = before
        para = run.getparent()
        new_para = etree.Element(q("w:p"))
        new_para.append(copy.deepcopy(para.find(q("w:pPr"))))
        new_para.append(self._piece(run, at + after))
        for sibling in list(run.itersiblings()):
            new_para.append(sibling)
        para.addnext(new_para)
        if author is not None:  # the new paragraph mark is a tracked insertion
            ppr = para.find(q("w:pPr"))
            rpr = ppr.find(q("w:rPr"))
            if rpr is None:
                rpr = etree.SubElement(ppr, q("w:rPr"))
            etree.SubElement(rpr, q("w:ins"), {q("w:id"): self._ident(), q("w:author"): author, q("w:date"): DATE})

    def move(self, source: str, text: str, target: str, author: str = "Layla Editor") -> None:
        """Move text (tracked) from one item to the end of another's first run."""
        run = self.run_with(source, text)
        t = run.find(q("w:t"))
        before, after = t.text.split(text, 1)
        name = f"move{self._ident()}"
        frm = etree.Element(q("w:moveFrom"), {q("w:id"): self._ident(), q("w:author"): author, q("w:date"): DATE})
        frm.append(self._piece(run, text, "w:delText"))
        pieces = [self._piece(run, before)] if before else []
        pieces += [etree.Element(q("w:moveFromRangeStart"), {q("w:id"): "1", q("w:name"): name}), frm,
                   etree.Element(q("w:moveFromRangeEnd"), {q("w:id"): "1"})]
        if after:
            pieces.append(self._piece(run, after))
        for p in pieces:
            run.addprevious(p)
        run.getparent().remove(run)
        dest = next(r for r in self.start(target).itersiblings() if r.tag == q("w:r"))
        to = etree.Element(q("w:moveTo"), {q("w:id"): self._ident(), q("w:author"): author, q("w:date"): DATE})
        to.append(self._piece(dest, " " + text.strip()))
        dest.addnext(etree.Element(q("w:moveToRangeEnd"), {q("w:id"): "2"}))
        dest.addnext(to)
        dest.addnext(etree.Element(q("w:moveToRangeStart"), {q("w:id"): "2", q("w:name"): name}))

    def delete_note(self, path: str, nth: int = 0, author: str | None = None) -> None:
        """Delete the item's nth footnote reference (tracked: inside w:del)."""
        refs = [r for r in self.start(path).itersiblings() if r.tag == q("w:r")
                and r.find(q("w:footnoteReference")) is not None]
        run = refs[nth]
        if author is None:
            run.getparent().remove(run)
            return
        d = etree.Element(q("w:del"), {q("w:id"): self._ident(), q("w:author"): author, q("w:date"): DATE})
        run.addprevious(d)
        d.append(run)

    def note_ids(self, path: str) -> list[str]:
        return [r.find(q("w:footnoteReference")).get(q("w:id")) for r in self.start(path).itersiblings()
                if r.tag == q("w:r") and r.find(q("w:footnoteReference")) is not None]

    def edit_note(self, note_id: str, old: str, new: str, author: str | None = None) -> None:
        """Edit of a footnote's text (the quote): untracked, or tracked by author."""
        for note in self.notes.iter(q("w:footnote")):
            if note.get(q("w:id")) == note_id:
                for t in note.iter(q("w:t")):
                    if old in (t.text or ""):
                        if author is None:
                            t.text = t.text.replace(old, new, 1)
                        else:
                            self._tracked(t.getparent(), old, new, author)
                        return
        raise KeyError(old)

    def _tracked(self, run, old: str, new: str, author: str) -> None:
        t = run.find(q("w:t"))
        before, after = t.text.split(old, 1)
        d = etree.Element(q("w:del"), {q("w:id"): self._ident(), q("w:author"): author, q("w:date"): DATE})
        d.append(self._piece(run, old, "w:delText"))
        i = etree.Element(q("w:ins"), {q("w:id"): self._ident(), q("w:author"): author, q("w:date"): DATE})
        i.append(self._piece(run, new))
        for p in [self._piece(run, before), d, i, self._piece(run, after)]:
            run.addprevious(p)
        run.getparent().remove(run)

    def add_paragraph(self, path: str, text: str) -> None:
        """A new paragraph after the item's paragraph (untracked)."""
        para = self.para(path)
        new_para = etree.Element(q("w:p"))
        new_para.append(copy.deepcopy(para.find(q("w:pPr"))))
        run = etree.SubElement(new_para, q("w:r"))
        etree.SubElement(run, q("w:t")).text = text
        para.addnext(new_para)

    def edit_anywhere(self, old: str, new: str) -> None:
        """Untracked edit of the first text holding old, wherever it is (a heading, the annex, …)."""
        for t in self.doc.iter(q("w:t")):
            if old in (t.text or ""):
                t.text = t.text.replace(old, new, 1)
                return
        raise KeyError(old)

    def join(self, path: str) -> None:
        """Delete the paragraph mark before the item: its paragraph joins the previous one (untracked)."""
        para = self.para(path)
        previous = para.getprevious()
        for child in list(para):
            if child.tag != q("w:pPr"):
                previous.append(child)
        para.getparent().remove(para)

    def settle(self, accept: bool = True) -> None:
        """Accept (or reject) every tracked change, as Word's Review › Accept All does."""
        keep, drop = (("w:ins", "w:moveTo"), ("w:del", "w:moveFrom")) if accept else \
            (("w:del", "w:moveFrom"), ("w:ins", "w:moveTo"))
        for tag in drop:
            for el in list(self.doc.iter(q(tag))):
                parent = el.getparent()
                if parent.tag == q("w:rPr"):  # a tracked paragraph mark
                    para = parent.getparent().getparent()
                    parent.remove(el)
                    following = para.getnext()
                    if tag == "w:ins" and following is not None:  # rejected split: join the paragraphs again
                        for child in list(following):
                            if child.tag != q("w:pPr"):
                                para.append(child)
                        following.getparent().remove(following)
                else:
                    parent.remove(el)
        for tag in keep:
            for el in list(self.doc.iter(q(tag))):
                parent = el.getparent()
                if parent.tag == q("w:rPr"):
                    parent.remove(el)
                    continue
                for child in list(el):
                    if child.tag == q("w:r"):
                        for dt in child.iter(q("w:delText")):
                            dt.tag = q("w:t")
                    el.addprevious(child)
                parent.remove(el)

    # -- comments --------------------------------------------------------------------------------
    def comment(self, path: str, text: str, author: str = "Layla Editor", replies: tuple = (),
                resolved: bool = False) -> None:
        """A comment over the item's first run, with replies (Word gives each its own range) and state."""
        if self.comments is None:
            self.comments = etree.Element(q("w:comments"), nsmap={"w": W, "w14": W14})
            self.members["[Content_Types].xml"] = self.members["[Content_Types].xml"].replace(
                b"</Types>", b'<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-'
                             b'officedocument.wordprocessingml.comments+xml"/></Types>')
            self._relate("comments", "comments.xml")
        if self.extended is None:
            self.extended = etree.Element(q("w15:commentsEx"), nsmap={"w15": W15})
            self.members["[Content_Types].xml"] = self.members["[Content_Types].xml"].replace(
                b"</Types>", b'<Override PartName="/word/commentsExtended.xml" ContentType="application/'
                             b'vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"/></Types>')
            self._relate("http://schemas.microsoft.com/office/2011/relationships/commentsExtended",
                         "commentsExtended.xml")
            for c in self.comments:  # Word lists every comment there
                last = c.findall(q("w:p"))[-1]
                pid = last.get(q("w14:paraId")) or f"{int(c.get(q('w:id'))) + 0x100:08X}"
                last.set(q("w14:paraId"), pid)
                etree.SubElement(self.extended, q("w15:commentEx"), {q("w15:paraId"): pid, q("w15:done"): "0"})
        start = self.start(path)
        first = next(r for r in start.itersiblings() if r.tag == q("w:r"))
        parent_pid = None
        for k, (who, body) in enumerate([(author, text), *replies]):
            cid = str(len(self.comments) + 50)
            pid = f"{0x3A000000 + int(cid):08X}"
            c = etree.SubElement(self.comments, q("w:comment"), {q("w:id"): cid, q("w:author"): who,
                                                                  q("w:date"): DATE, q("w:initials"): who[:2]})
            p = etree.SubElement(c, q("w:p"), {q("w14:paraId"): pid})
            etree.SubElement(etree.SubElement(p, q("w:r")), q("w:t")).text = body
            attrs = {q("w15:paraId"): pid, q("w15:done"): "1" if resolved and k == 0 else "0"}
            if parent_pid:
                attrs[q("w15:paraIdParent")] = parent_pid
            etree.SubElement(self.extended, q("w15:commentEx"), attrs)
            parent_pid = parent_pid or pid
            first.addprevious(etree.Element(q("w:commentRangeStart"), {q("w:id"): cid}))
            first.addnext(etree.Element(q("w:commentRangeEnd"), {q("w:id"): cid}))
            ref = etree.Element(q("w:r"))
            etree.SubElement(ref, q("w:commentReference"), {q("w:id"): cid})
            first.getnext().addnext(ref)

    def _relate(self, kind: str, target: str) -> None:
        rels = etree.fromstring(self.members["word/_rels/document.xml.rels"])
        reltype = kind if kind.startswith("http") else \
            f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}"
        etree.SubElement(rels, "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship",
                         Id=f"rId{90 + len(rels)}", Type=reltype, Target=target)
        self.members["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8")
