"""German presentation: one module per notebook, named like it, plus the shared pieces
(:mod:`~regiopol.report.common`, :mod:`~regiopol.report.style`,
:mod:`~regiopol.report.html`). A report module formats what :mod:`regiopol.methods` computes."""
