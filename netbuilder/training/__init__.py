"""Training: datasets, compile/fit settings, a training session on a worker thread, run folders.

No Qt here (the command line trains through the same engine as the GUI), and
Keras/TensorFlow are imported only where a module needs them, so reading a
dataset preview or the project's training settings stays quick.
"""
