"""Video tracking (Qt-free): annotate one frame, propagate the objects through a sequence.

    frames.py      frame sources: a folder of frames (DAVIS/MoCA `JPEGImages/<seq>/`), a video file (OpenCV, streamed)
    prompts.py     ObjectPrompt (box / points / init mask per object, with a label) and the DAVIS palette PNGs
    tracker.py     the VideoTracker protocol and the TRACKERS registry (catalogue kind "trackers")
    hf_tracker.py  what the transformers streaming trackers share (Sam2VideoModel, EdgeTamVideoModel)
    sam2_video.py, edgetam_video.py   the backends `sam2-video` and `edgetam-video`
    propagate.py   the driver: prompt frame K, forward then backward, outputs written atomically, resumable
"""
