"""The server's own processes: queues for heavy work, worker processes, guards, housekeeping.

Not part of convkit (the NumPy/OpenCV package) and free of Streamlit at import, so a worker
process starts without either UI. Modules: ``queues`` (the bounded server-wide lines and
``Busy``), ``workers`` (one worker-process class and its frames), ``decode`` (uploads decoded
in workers under a memory limit and a timeout), ``loops`` (the tutorial's loop in a worker),
``descent`` (gradient descent in a worker), ``guards`` (the public server's guards, installed
by app.py), ``memory`` (garbage collection and heap trimming).
"""
