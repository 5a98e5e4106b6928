"""CLI tests: every command through click's CliRunner, in-process."""
