import sys

from regiopol.cli import main

sys.exit(main())
