"""Foundations every layer may use: paths, atomic files, errors, sources, constants, configuration
schema, caches. Imports nothing from the other layers."""
