"""Preview stage: `briefgen preview`, the brief live in a browser (session.py, marks.py, server.py)."""
