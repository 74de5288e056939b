"""The process pool hands the largest files out first, and every result still lands on its own
file: a scan in two worker processes gives what one process gives, file by file."""

from __future__ import annotations

import os
import subprocess
import sys

from gonogo.options import ScanOptions
from gonogo.parallel import PARALLEL_FROM, FileJob, map_files_cached
from gonogo.workspace import Workspace
from tests.helpers import make_repo, scan_repo


def test_results_in_two_worker_processes_match_one_process_file_by_file(tmp_path):
    # sizes that do not follow path order, so the largest-first order really differs from it
    files = {
        f"pkg/m{index:03d}.py": f"# module {index}\n" + "".join(f"def f{n}():\n    pass\n" for n in range((index * 7) % 23 + 1))
        for index in range(PARALLEL_FROM + 12)
    }
    root = make_repo(tmp_path / "repo", files)
    reports = [
        scan_repo(root, "CODE", options={"jobs": jobs, "use_cache": False})
        for jobs in (1, 2)
    ]
    findings = [sorted((f.check_id, f.path or "", f.line or 0, f.message) for f in r.findings) for r in reports]
    assert findings[0] == findings[1]
    assert reports[0].metrics == reports[1].metrics
    assert reports[0].metrics["code.stubs"] == sum((index * 7) % 23 + 1 for index in range(PARALLEL_FROM + 12))


def _pid_of(data: bytes) -> int:
    return os.getpid()


def test_a_cheap_function_runs_in_this_process_and_any_other_in_workers(tmp_path):
    """``cheap=True``: sending a file to a worker would cost more than the function."""
    root = make_repo(tmp_path / "repo", {f"notes/n{index:03d}.txt": f"note {index}\n" for index in range(PARALLEL_FROM + 5)})
    workspace = Workspace.open([root])
    jobs = [FileJob(file=file, namespace="pid") for file in workspace.files]
    options = ScanOptions(jobs=2, use_cache=False)
    here = map_files_cached(_pid_of, jobs, options, workspace, "test", cheap=True)
    pooled = map_files_cached(_pid_of, jobs, options, workspace, "test")
    assert set(here) == {os.getpid()}
    assert os.getpid() not in set(pooled) and len(pooled) == len(jobs)


WORKER_IMPORTS = """
import sys
from gonogo.options import ScanOptions
from gonogo.parallel import PARALLEL_FROM, _compute
from gonogo.redaction import redact


def work(text):
    redact(text)  # a token-shaped text: the redactor's patterns are what a worker would import
    return sorted(sys.modules)


if __name__ == "__main__":
    assert "detect_secrets" not in sys.modules, "gonogo.parallel imports detect-secrets on its own"
    texts = ["ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + str(n) for n in range(PARALLEL_FROM + 4)]
    imported_by_workers = set().union(*map(set, _compute(work, texts, ScanOptions(jobs=2), "test")))
    print(sorted(imported_by_workers - set(sys.modules)))
"""


def test_a_worker_imports_nothing_its_parent_had_not_imported_before_forking_it(tmp_path):
    """The redactor imports detect-secrets on first use. A worker forked while another thread of
    the scan (the secrets pass runs in one) was importing it would inherit that import's lock and
    wait for it forever: that hung a cold scan of site-packages. The pool's parent imports it first."""
    script = tmp_path / "worker_imports.py"
    script.write_text(WORKER_IMPORTS, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"modules only the workers imported: {done.stdout}"


FORK_FROM_A_THREAD = r'''
import builtins, os, sys, threading
from pathlib import Path


def main():
    here = Path(__file__).parent
    (here / "slow_mod.py").write_text(
        "import builtins\n"
        "gate = getattr(builtins, 'gonogo_gate', None)\n"
        "if gate is not None:\n"
        "    builtins.gonogo_inside.set()\n"
        "    gate.wait(120)\n"
    )
    (here / "uses_slow.py").write_text("def double(x):\n    import slow_mod\n    return 2 * x\n")
    sys.path.insert(0, str(here))

    from gonogo.options import ScanOptions
    from gonogo.parallel import PARALLEL_FROM, _compute
    import uses_slow

    builtins.gonogo_gate, builtins.gonogo_inside = threading.Event(), threading.Event()
    importer = threading.Thread(target=lambda: __import__("slow_mod"), daemon=True)
    importer.start()
    builtins.gonogo_inside.wait(30)  # slow_mod's import lock is held by the importer from now on
    results = []
    pool_user = threading.Thread(
        target=lambda: results.extend(_compute(uses_slow.double, list(range(PARALLEL_FROM)), ScanOptions(jobs=2), "test")),
        daemon=True,
    )
    pool_user.start()
    pool_user.join(60)
    builtins.gonogo_gate.set()
    print("done" if results == [2 * x for x in range(PARALLEL_FROM)] else "hung", flush=True)
    os._exit(0)  # a hung pool's workers would hold the interpreter's exit


if __name__ == '__main__':  # the fork server's workers import this script as their main module
    main()
'''


def test_a_pool_started_from_a_thread_while_another_imports_does_not_hang(tmp_path):
    """The secrets pool starts from a background thread while the checks import modules in the
    main one. Forked then, a worker inherited a module's import lock, held by a thread it does not
    have, and waited for it forever: a cold scan of site-packages hung in ``encodings``. Off the
    main thread the pool starts its workers from a fork server, which holds no such lock."""
    script = tmp_path / "fork_from_a_thread.py"
    script.write_text(FORK_FROM_A_THREAD, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=180, check=False,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.stdout.strip() == "done", done.stderr[-2000:]
