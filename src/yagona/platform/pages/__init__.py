"""The pages' plumbing, knowing no domain (conventions 12: pages are a channel).

- `core`: `Pages` (a Jinja2 environment per language, gettext, Babel formats), `render`,
  the page language (`?lang=`, its cookie, `Accept-Language`), flash messages, and
  `page_router()`, whose routes check the CSRF token on every unsafe method and answer
  refusals with a page in the visitor's language, never a stack trace;
- `csrf`: the signed double-submit token;
- `assets`: static files under content-hashed, immutable URLs, precompressed;
- `middleware`: gzip/brotli for text responses and the security headers (strict CSP).

A domain's pages live in its `web` room, templates in `<domain>/templates/<domain>/`.
"""
