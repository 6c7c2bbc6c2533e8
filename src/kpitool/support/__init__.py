"""Infrastructure the core leans on: the content-hash cache, atomic writes, memory limits."""
