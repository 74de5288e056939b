"""Dependency manifests and lock files: the ``manifests`` fact (``collector``), one module per
format, and the shapes they produce (``model``)."""

from gonogo.collectors.manifests.collector import FORMATS, manifests
from gonogo.collectors.manifests.model import Dependency, Manifest, ManifestFacts, UnreadLock
from gonogo.collectors.manifests.requirements_files import is_requirements_file

__all__ = [
    "FORMATS",
    "Dependency",
    "Manifest",
    "ManifestFacts",
    "UnreadLock",
    "is_requirements_file",
    "manifests",
]
