import sys

from mfplab.cli import main

sys.exit(main())
