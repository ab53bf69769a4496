"""Adapters: the only modules that import heavy libraries (OpenCV, MediaPipe, pyo), one each."""
