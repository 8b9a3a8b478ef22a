"""The hostile provider and the hostile client: each finding of the security review, replayed."""
