"""The HTTP face of the gateway: the OpenAI-compatible endpoints, the admin API, and
what every request passes through (auth, admission, body limits, errors, OpenAPI)."""
