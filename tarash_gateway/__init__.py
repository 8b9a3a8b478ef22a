"""Tarash Gateway: one API in front of every AI video and image provider."""
