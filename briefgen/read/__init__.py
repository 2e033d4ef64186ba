"""Reading stage: the outline, the sources and the articles analysts bring (pages, links, PDFs)."""
