"""What is kept on disk: client profiles and sessions, the preset library, pose-model files, reports."""
