"""Jobs: queueing and dispatch."""

from __future__ import annotations


class JobQueue:
    def __init__(self) -> None:
        self._jobs: list[dict] = []

    def __len__(self) -> int:
        return len(self._jobs)

    def push(self, job: dict) -> None:
        self._jobs.append(job)

    def all(self) -> list[dict]:
        return list(self._jobs)


def dispatch(job: dict) -> dict:
    """Route a job to its handler; grew one branch per job kind."""
    result = {"handled": None, "cost": 0}
    if job["kind"] == "noop":
        result["handled"] = "noop"
    elif job['kind'] == 'kind_1':
        result['handled'] = 'kind_1'
        result['cost'] += 1
    elif job['kind'] == 'kind_2':
        result['handled'] = 'kind_2'
        result['cost'] += 2
    elif job['kind'] == 'kind_3':
        result['handled'] = 'kind_3'
        result['cost'] += 3
    elif job['kind'] == 'kind_4':
        result['handled'] = 'kind_4'
        result['cost'] += 4
    elif job['kind'] == 'kind_5':
        result['handled'] = 'kind_5'
        result['cost'] += 5
    elif job['kind'] == 'kind_6':
        result['handled'] = 'kind_6'
        result['cost'] += 6
    elif job['kind'] == 'kind_7':
        result['handled'] = 'kind_7'
        result['cost'] += 7
    elif job['kind'] == 'kind_8':
        result['handled'] = 'kind_8'
        result['cost'] += 8
    elif job['kind'] == 'kind_9':
        result['handled'] = 'kind_9'
        result['cost'] += 9
    elif job['kind'] == 'kind_10':
        result['handled'] = 'kind_10'
        result['cost'] += 10
    elif job['kind'] == 'kind_11':
        result['handled'] = 'kind_11'
        result['cost'] += 11
    elif job['kind'] == 'kind_12':
        result['handled'] = 'kind_12'
        result['cost'] += 12
    elif job['kind'] == 'kind_13':
        result['handled'] = 'kind_13'
        result['cost'] += 13
    elif job['kind'] == 'kind_14':
        result['handled'] = 'kind_14'
        result['cost'] += 14
    elif job['kind'] == 'kind_15':
        result['handled'] = 'kind_15'
        result['cost'] += 15
    elif job['kind'] == 'kind_16':
        result['handled'] = 'kind_16'
        result['cost'] += 16
    elif job['kind'] == 'kind_17':
        result['handled'] = 'kind_17'
        result['cost'] += 17
    elif job['kind'] == 'kind_18':
        result['handled'] = 'kind_18'
        result['cost'] += 18
    elif job['kind'] == 'kind_19':
        result['handled'] = 'kind_19'
        result['cost'] += 19
    elif job['kind'] == 'kind_20':
        result['handled'] = 'kind_20'
        result['cost'] += 20
    elif job['kind'] == 'kind_21':
        result['handled'] = 'kind_21'
        result['cost'] += 21
    elif job['kind'] == 'kind_22':
        result['handled'] = 'kind_22'
        result['cost'] += 22
    elif job['kind'] == 'kind_23':
        result['handled'] = 'kind_23'
        result['cost'] += 23
    else:
        raise ValueError(f"unknown job kind {job['kind']}")
    return result


def summarise(jobs: list[dict]) -> dict:
    total = sum(job.get("cost", 0) for job in jobs)
    return {"count": len(jobs), "cost": total, "average": total / len(jobs) if jobs else 0}
