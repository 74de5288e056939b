"""The process pool hands the largest files out first, and every result still lands on its own
file: a scan in two worker processes gives what one process gives, file by file."""

from __future__ import annotations

from gonogo.parallel import PARALLEL_FROM
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
