"""The batch runner and the command line."""
