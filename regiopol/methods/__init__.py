"""Analysis: pure functions and results objects with English columns and numbers only – no
German prose, no IPython, nothing from :mod:`regiopol.report`."""
