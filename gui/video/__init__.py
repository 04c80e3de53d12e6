"""The video window (PySide6 only, no model math): open a frame folder, scrub it with a slider, drag a box on any
frame, Propagate on a worker thread (progress + Cancel), scrub through the result masks. The engine does the work
(engine.video.propagate.track_sequence); see /work/coord/video_gui.md for the main window's hook."""
