"""Fleet scans: many repositories, one ``gonogo.api.scan`` each, as tasks on Dask distributed.

``sources`` reads the list of repositories (``FLEET.toml`` or ``REPOS.txt``); ``task`` is what a
worker runs for one of them (check out, load that repository's own config, scan, fingerprint);
``runner`` submits the tasks, enforces the per-task deadline and restarts a worker a hung task
holds; ``results`` writes each outcome to a folder of reports and to the run history and reads
them back for ``--resume``; ``summary`` turns the outcomes into the fleet's page. The scan itself
is the one the CLI runs: nothing here judges a repository.
"""
