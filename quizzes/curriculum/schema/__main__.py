"""``python -m quizzes.curriculum.schema``: list every problem in the curriculum files."""

import sys

from . import main

sys.exit(main())
