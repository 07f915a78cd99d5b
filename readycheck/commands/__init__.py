"""The commands, one module each, as readycheck.cli registers them on the app.

`scan`, `baseline` (create), `init`, `rules` (list, show, docs), `cache` (clean),
`portfolio` and `trend` each have a module named after the command; what several of
them share is in `_output` (exit codes, errors, standard output, files, GitHub Actions,
Ctrl-C) and `_options` (options declared once, and the scan options built from them).
A command imports its heavy modules inside its function, so that importing this
package, as `readycheck --version` and `--help` do, stays fast.
"""
