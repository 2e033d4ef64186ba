"""Renderers: the document model -> output formats (html, pdf, docx), one module each."""
