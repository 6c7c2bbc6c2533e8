"""The command line: parse arguments, call the core, render by name, map errors to exit codes."""
