"""The process pool hands the largest files out first, and every result still lands on its own
file: a scan in two worker processes gives what one process gives, file by file."""

from __future__ import annotations

import os

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
