"""Where the curriculum files live and how they are read: the vocabulary and the lessons,
as the plain data (YAML) the checks take."""

from pathlib import Path

import yaml

CURRICULUM_DIR = Path(__file__).resolve().parent.parent


def read_vocabulary(directory=CURRICULUM_DIR):
    return yaml.safe_load((directory / "vocabulary.yaml").read_text(encoding="utf-8"))


def read_lessons(directory=CURRICULUM_DIR):
    return [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((directory / "lessons").glob("*.yaml"))
    ]
