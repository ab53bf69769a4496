"""Screens of the terminal UI; each shows the newest engine state it is given."""
