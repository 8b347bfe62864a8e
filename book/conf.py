"""Sphinx configuration of the companion's website (built by tools/book.sh).

tools/book.sh lays out a copy of the repository's README.md, notebooks/, tables/ and
figures/ beside these files in build/book-src and builds from there, so every relative
link in the README and the notebooks resolves as it does on the repository's own pages.
The notebooks are never executed: their committed outputs are what the site shows.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

project = "harlib"
author = "harlib contributors"
copyright = "harlib contributors"

extensions = [
    "myst_nb",                    # Markdown pages and notebooks (reads their committed outputs)
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]

# Notebooks: show what was committed, execute nothing.
nb_execution_mode = "off"
nb_merge_streams = True
# No widget JavaScript from a CDN (the notebooks hold no widget state).
nb_ipywidgets_js = {}
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

root_doc = "index"
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "_templates", "README.md", "tables/**", "figures/**",
                    "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# API pages: every module of the harlib package, found by walking it (autosummary's
# :recursive:), so a module that moves keeps its page without an edit here.
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_inherit_docstrings = False     # torch's own docstrings stay on torch's site
napoleon_google_docstring = True
napoleon_numpy_docstring = True

# Nothing is fetched at build time (no intersphinx), and no page needs a CDN: the theme
# ships its assets, and no page holds mathematics, so MathJax is never loaded.
html_theme = "sphinx_book_theme"
html_title = "harlib: three HAR papers, reproduced"
html_static_path = []
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "home_page_in_toc": True,
}
html_show_sourcelink = False
html_copy_source = False


# harlib's docstrings are written as plain text with reStructuredText's ``literals``, not as
# full reStructuredText: |x| means an absolute value, not a substitution, so it is escaped
# outside literals before the docstring is parsed.
_LITERAL = re.compile(r"(``.+?``)")


def _escape_bars(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        parts = _LITERAL.split(line)
        lines[i] = "".join(p if p.startswith("``") else p.replace("|", r"\|") for p in parts)


class _DocstringMarkup(logging.Filter):
    """Sends the markup warnings of harlib's plain-text docstrings (an indented continuation
    line read as a block quote, and the like: the page still shows the text) to a log file
    beside the site, and counts them, so that the warnings of the site's own pages stand out."""

    def __init__(self, path: Path):
        super().__init__()
        self.path, self.count = path, 0
        path.write_text("")

    def filter(self, record):
        where = str(getattr(record, "location", "") or "")
        if record.levelno >= logging.WARNING and "docstring of harlib" in where:
            self.count += 1
            message = record.getMessage()
            with self.path.open("a") as f:
                f.write(f"{message}\n" if where in message else f"{where}: {message}\n")
            return False
        return True


def setup(app):
    app.connect("autodoc-process-docstring", _escape_bars)
    markup = _DocstringMarkup(Path(app.outdir).parent / "book-docstrings.log")
    for handler in logging.getLogger("sphinx").handlers:
        handler.addFilter(markup)

    def report(app, exception):
        if markup.count:
            print(f"harlib: {markup.count} markup warnings from harlib's plain-text docstrings "
                  f"(their pages still show the text): {markup.path}", flush=True)

    app.connect("build-finished", report)
