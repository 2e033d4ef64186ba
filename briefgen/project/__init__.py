"""Project stage: the project's files on disk: safe file access, the cache, and the outputs briefgen writes."""
