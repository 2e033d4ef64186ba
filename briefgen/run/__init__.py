"""Run stage: a whole build (check, render, write) for one outline, a folder of them, or every save."""
