"""The web application: the platform in Chinese, in the browser, served from the workspace.

A front end like `cli/`: it calls the same services with the signed-in `User` and adds its own
way out of a refusal (a page, a link). Nothing below it imports it (`tests/test_layers.py`).

- `app.py` — `create_app(workspace)`: the middleware, the static files, the page families;
- `security.py` — security headers, the CSRF check, the session key kept in the workspace;
- `auth.py` — signing in and out, `current_user`, the per-address limit on sign-in attempts;
- `pages.py` — the templates and what every page is given (user, procuratorate, CSRF token);
- `assets.py` — the front-end libraries copied from npm at set-up (`scripts/build-static`);
- `home.py` — 首页. Each further page family is one module with its templates in
  `templates/<family>/`, added to `FAMILIES` in `app.py`.
"""
