"""Circulars (通报): drafting, rendering and signing come in a later issue."""
