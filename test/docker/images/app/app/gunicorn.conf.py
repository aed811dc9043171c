"""gunicorn settings read from the working directory: prometheus_client's multiprocess mode
(every worker writes its metrics to PROMETHEUS_MULTIPROC_DIR; /metrics sums them)."""
import os
import shutil

from prometheus_client import multiprocess


def on_starting(server):
    d = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if d:
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d, exist_ok=True)


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
