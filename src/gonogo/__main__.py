"""``python -m gonogo``: the same command line as ``gonogo``, for an environment whose scripts
folder is not on PATH (a CI image, ``pipx run``, a virtualenv not activated)."""

from gonogo.cli import main

if __name__ == "__main__":
    main()
