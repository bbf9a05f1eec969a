"""convkit's benchmarks: the engine against cv2.filter2D, interaction latency, server memory.

Run ``python -m bench`` (or ``make bench``); ``python -m bench --help`` lists the options.
Results are printed as tables and saved as JSON under ``bench/results/`` (not in git).
"""
