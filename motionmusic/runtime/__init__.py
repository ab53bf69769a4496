"""The loop and what runs it: engine, tracker, sources, session recorder, offline render."""
