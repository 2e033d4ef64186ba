"""Editing stage, the reverse direction: an edited DOCX compared with its build record and applied to the outline."""
