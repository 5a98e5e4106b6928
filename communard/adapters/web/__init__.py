"""The web adapter: server-rendered pages and the JSON API over the same services.

- ``app``: ``create_app(application)``, the one factory (``communard serve`` calls it)
- ``pages/``: HTML pages and their forms; every action works without JavaScript
- ``api``: the JSON API under ``/api``; operationIds are the command and query ids
- ``context``: who is asking (``Viewer``), and ``perform``/``ask``, the two doors into
  the services
- ``problems``: the one error shape and the table from error classes to HTTP statuses
- ``security``: the session cookie, CSRF tokens and the security headers
- ``templating``: the Jinja2 environment and the filters that print the record
"""
