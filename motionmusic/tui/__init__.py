"""The therapist's terminal UI (Textual). It watches the engine and sends it commands; it never
sits in the frame loop."""
