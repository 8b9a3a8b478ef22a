"""One module per real provider; each registers its field-mapper tables on import."""
