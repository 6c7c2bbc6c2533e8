"""Writing actuals back: decide the changes, edit the YAML text keeping comments, lock, verify, write."""
