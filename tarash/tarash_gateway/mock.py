"""``tarash.tarash_gateway.mock``: the mock provider's configuration, as the gateway has it.

``MockConfig(enabled=True)`` on a config serves it from the mock, as before.
"""

from tarash_gateway import MockConfig, MockError, MockResponse

__all__ = ["MockConfig", "MockError", "MockResponse"]
