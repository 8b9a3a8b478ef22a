"""Our adapters' requests against the providers' official SDKs: the same unified request,
built by the SDK (captured, never sent) and by the adapter (recorded by the strict
emulator), must be the same HTTP request."""
