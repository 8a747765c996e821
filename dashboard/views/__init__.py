"""The office's screens. Views are thin: load through units.access, validate a form, call one
service, flash a message, redirect. No rule lives here."""
