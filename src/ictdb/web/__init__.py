"""The analysts' web application's assets: Jinja2 templates, CSS and JavaScript, and the en/ar/ru catalogues.

The pages' routes live in ``ictdb.api.ui`` (the layer contract keeps the interface packages independent of
each other); they load these files by package name, so everything ships inside the wheel and no CDN is used.
"""
